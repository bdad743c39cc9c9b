// warden/mcp/content.hpp: what tools, resources and prompts return.
//
// Content blocks (text, image, audio, embedded resource, resource link), tool results
// (content, structured content, the isError flag), resource contents (text or blob) and
// prompt messages, each built by a named factory and kept as the JSON the protocol sends.
#pragma once

#include <warden/crypto/base64.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace warden {

/// The contents of one resource: text, or binary data sent as base64 ("blob").
class resource_contents {
public:
    static resource_contents text(std::string_view uri, std::string_view mime_type, std::string_view text) {
        resource_contents c;
        c.json_.emplace("uri", uri);
        if (!mime_type.empty()) c.json_.emplace("mimeType", mime_type);
        c.json_.emplace("text", text);
        return c;
    }
    /// `bytes` are base64-encoded here.
    static resource_contents blob(std::string_view uri, std::string_view mime_type,
                                  std::span<const unsigned char> bytes) {
        return blob_base64(uri, mime_type, crypto::base64_encode(bytes));
    }
    /// `base64` is already encoded.
    static resource_contents blob_base64(std::string_view uri, std::string_view mime_type, std::string_view base64) {
        resource_contents c;
        c.json_.emplace("uri", uri);
        if (!mime_type.empty()) c.json_.emplace("mimeType", mime_type);
        c.json_.emplace("blob", base64);
        return c;
    }
    const boost::json::object& to_json() const& noexcept { return json_; }
    boost::json::object to_json() && noexcept { return std::move(json_); }

private:
    boost::json::object json_{};
};

/// One content block of a tool result or prompt message.
class content {
public:
    static content text(std::string_view text) {
        content c("text");
        c.json_.emplace("text", text);
        return c;
    }
    /// An image; `base64` is the encoded data.
    static content image(std::string_view base64, std::string_view mime_type) {
        return media("image", base64, mime_type);
    }
    /// An audio clip; `base64` is the encoded data.
    static content audio(std::string_view base64, std::string_view mime_type) {
        return media("audio", base64, mime_type);
    }
    static content image(std::span<const unsigned char> bytes, std::string_view mime_type) {
        return media("image", crypto::base64_encode(bytes), mime_type);
    }
    static content audio(std::span<const unsigned char> bytes, std::string_view mime_type) {
        return media("audio", crypto::base64_encode(bytes), mime_type);
    }
    /// A resource's contents, embedded.
    static content embedded(const resource_contents& r) {
        content c("resource");
        c.json_.emplace("resource", r.to_json());
        return c;
    }
    /// A link the client may read with resources/read.
    static content resource_link(std::string_view uri, std::string_view name, std::string_view description = {},
                                 std::string_view mime_type = {}) {
        content c("resource_link");
        c.json_.emplace("uri", uri);
        c.json_.emplace("name", name);
        if (!description.empty()) c.json_.emplace("description", description);
        if (!mime_type.empty()) c.json_.emplace("mimeType", mime_type);
        return c;
    }

    /// Adds MCP annotations (audience, priority, lastModified) to this block.
    content&& with_annotations(boost::json::object annotations) && {
        json_["annotations"] = std::move(annotations);
        return std::move(*this);
    }

    const boost::json::object& to_json() const& noexcept { return json_; }
    boost::json::object to_json() && noexcept { return std::move(json_); }

private:
    explicit content(std::string_view type) {
        json_.reserve(3); // the type and, for most kinds, two more members
        json_.emplace("type", type);
    }
    static content media(std::string_view type, std::string_view base64, std::string_view mime_type) {
        content c(type);
        c.json_.emplace("data", base64);
        c.json_.emplace("mimeType", mime_type);
        return c;
    }
    boost::json::object json_{};
};

/// What a tool returns. A failure the model should see and may correct (bad input, an
/// upstream API error) is a result with `is_error` set, not an exception.
struct tool_result {
    std::vector<content> contents{};
    std::optional<boost::json::object> structured{}; ///< `structuredContent`, checked by the output schema
    bool is_error = false;

    static tool_result text(std::string_view t) { return one(content::text(t), false); }
    static tool_result error(std::string_view message) { return one(content::text(message), true); }

    boost::json::object to_json() const& {
        tool_result copy = *this;
        return std::move(copy).to_json();
    }
    /// The same, moving the content out (no copy of each block).
    boost::json::object to_json() && {
        boost::json::object o{};
        o.reserve(1 + (structured ? 1 : 0) + (is_error ? 1 : 0));
        boost::json::array items{};
        items.reserve(contents.size());
        for (auto& c : contents) items.emplace_back(std::move(c).to_json());
        o.emplace("content", std::move(items));
        if (structured) o.emplace("structuredContent", std::move(*structured));
        if (is_error) o.emplace("isError", true);
        return o;
    }

private:
    static tool_result one(content c, bool is_error) {
        tool_result r{};
        r.contents.push_back(std::move(c)); // (a braced list would copy it)
        r.is_error = is_error;
        return r;
    }
};

/// Thrown by a tool handler to fail with a message meant for the client; the call then
/// answers a result with isError. Any other exception answers a generic message, and its
/// text goes to the server's log only.
class tool_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// One message of a prompt.
struct prompt_message {
    std::string role{}; ///< "user" or "assistant"
    content body;

    static prompt_message user(content c) { return {"user", std::move(c)}; }
    static prompt_message assistant(content c) { return {"assistant", std::move(c)}; }

    boost::json::object to_json() const {
        boost::json::object o{};
        o.emplace("role", role);
        o.emplace("content", body.to_json());
        return o;
    }
};

/// What prompts/get returns.
struct prompt_result {
    std::string description{};
    std::vector<prompt_message> messages{};

    boost::json::object to_json() const {
        boost::json::object o{};
        if (!description.empty()) o.emplace("description", description);
        boost::json::array m{};
        for (const auto& msg : messages) m.emplace_back(msg.to_json());
        o.emplace("messages", std::move(m));
        return o;
    }
};

} // namespace warden
