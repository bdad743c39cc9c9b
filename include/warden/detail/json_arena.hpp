// warden/detail/json_arena.hpp: one allocation for a request's JSON tree.
//
// Parsing a JSON-RPC message into the default resource allocates once per object, array,
// key and long string: about a dozen times for a small `tools/call`. A request's tree is
// built at once and dropped at once, which is what a monotonic buffer is for. The arena is a
// counted resource: every value parsed into it (and every copy-constructed value, which
// keeps its source's resource) holds it alive, so no value can outlive its memory.
// Containers that live longer (a session's state) take copies into their own resource, as
// Boost.JSON's assignment and insertion do.
#pragma once

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serializer.hpp>
#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace warden::detail {

/// A monotonic resource whose first block sits in the same allocation as itself.
class json_arena final : public boost::json::memory_resource {
public:
    json_arena() = default;
    json_arena(const json_arena&) = delete;
    json_arena& operator=(const json_arena&) = delete;

private:
    void* do_allocate(std::size_t n, std::size_t align) override { return mono_.allocate(n, align); }
    void do_deallocate(void*, std::size_t, std::size_t) override {} // all at once, at the end
    bool do_is_equal(const boost::json::memory_resource& other) const noexcept override { return this == &other; }

    alignas(std::max_align_t) unsigned char first_[2048];
    boost::json::monotonic_resource mono_{first_, sizeof first_};
};

} // namespace warden::detail

/// Freeing a tree in an arena frees nothing: Boost.JSON may skip walking it.
template <>
struct boost::json::is_deallocate_trivial<warden::detail::json_arena> {
    static constexpr bool value = true;
};

namespace warden::detail {

/// Bodies up to this size are parsed into an arena; larger ones into the default resource,
/// so that a value kept from a large body never holds more than it needs.
inline constexpr std::size_t json_arena_limit = 16 * 1024;

/// `text` parsed (at most `max_depth` deep), into an arena when it is small.
inline boost::json::value parse_request_json(std::string_view text, boost::system::error_code& ec,
                                             unsigned max_depth = 64) {
    boost::json::parse_options po;
    po.max_depth = max_depth;
    boost::json::storage_ptr sp;
    if (text.size() <= json_arena_limit) sp = boost::json::make_shared_resource<json_arena>();
    return boost::json::parse(boost::json::string_view(text.data(), text.size()), ec, std::move(sp), po);
}

/// `message` as JSON text, appended to `out`, by a serializer kept per thread:
/// boost::json::serialize makes one per call, whose stack allocates again for every response.
inline void append_json_text(std::string& out, const boost::json::object& message) {
    thread_local boost::json::serializer sr;
    sr.reset(&message);
    char buf[1024];
    while (!sr.done()) {
        const auto part = sr.read(buf, sizeof buf);
        out.append(part.data(), part.size());
    }
}

} // namespace warden::detail
