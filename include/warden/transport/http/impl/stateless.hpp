// warden/transport/http/impl/stateless.hpp: `connection`: a POST of the 2026-07-28 era: its
// envelope and its MCP-Protocol-Version, Mcp-Method, Mcp-Name and Mcp-Param-* checks.
// Included by warden/transport/http/connection.hpp.
#pragma once

#include <warden/transport/http/connection.hpp>

#include <warden/mcp/modern.hpp>

#include <boost/json/parse.hpp>

namespace warden::transport::detail {

inline net::awaitable<after> connection::post_modern(boost::json::value message) {
    namespace modern = mcp::modern;
    const unsigned v = request_.version();
    auto& obj = message.as_object();
    boost::json::value id{};
    if (const auto* i = obj.if_contains("id"); i && mcp::jsonrpc::valid_id(*i)) id = *i;
    auto refuse = [&](http::status status, int code, std::string text, boost::json::value data = nullptr) {
        return make(status, v, boost::json::serialize(mcp::jsonrpc::make_error(id, code, text, std::move(data))),
                    "application/json");
    };
    const auto what = mcp::jsonrpc::classify(message).what;
    // Cancellation over HTTP is closing the request's stream: notifications need nothing.
    if (what == mcp::jsonrpc::kind::notification) co_return co_await send(make(http::status::accepted, v, "", ""));
    if (what != mcp::jsonrpc::kind::request)
        co_return co_await send(refuse(http::status::bad_request, mcp::jsonrpc::invalid_request,
                                       "MCP " + std::string(modern::version) +
                                           " takes one JSON-RPC request or notification per POST"));
    const std::string method(obj.at("method").get_string());
    static const boost::json::object no_params;
    const auto* p = obj.if_contains("params");
    const auto& params = p && p->is_object() ? p->get_object() : no_params;

    const auto env = modern::read_envelope(
        params, modern::supported_list(state_.core.config().session.session_era, mcp::supported_versions));
    const auto* rej = std::get_if<modern::rejection>(&env);
    if (rej && rej->code == mcp::jsonrpc::invalid_params)
        co_return co_await send(refuse(http::status::bad_request, rej->code, rej->message));
    const std::string body_version(modern::meta_of(params)->at(modern::meta_protocol_version).get_string());
    // Each mirrored header at most once: an intermediary might read another copy.
    for (const char* name : {"mcp-protocol-version", "mcp-method", "mcp-name"})
        if (request_.count(name) > 1)
            co_return co_await send(refuse(http::status::bad_request, modern::header_mismatch,
                                           std::string("the ") + name + " header appears more than once"));
    auto hv = request_.find("mcp-protocol-version");
    if (hv == request_.end())
        co_return co_await send(refuse(http::status::bad_request, modern::header_mismatch,
                                       "the MCP-Protocol-Version header is required"));
    if (modern::trim_ows(hv->value()) != body_version)
        co_return co_await send(refuse(http::status::bad_request, modern::header_mismatch,
                                       "Header mismatch: MCP-Protocol-Version does not match params._meta"));
    if (rej) co_return co_await send(refuse(http::status::bad_request, rej->code, rej->message, rej->data));
    auto hm = request_.find("mcp-method");
    if (hm == request_.end())
        co_return co_await send(refuse(http::status::bad_request, modern::header_mismatch,
                                       "the Mcp-Method header is required"));
    if (modern::trim_ows(hm->value()) != method)
        co_return co_await send(refuse(http::status::bad_request, modern::header_mismatch,
                                       "Header mismatch: Mcp-Method does not match the body's method"));
    if (!mcp::session::offers(state_.core.registry(), method))
        co_return co_await send(refuse(http::status::not_found, mcp::jsonrpc::method_not_found,
                                       "method not found: " + method));
    if (const auto member = modern::name_member(method); !member.empty()) {
        auto hn = request_.find("mcp-name");
        if (hn == request_.end())
            co_return co_await send(refuse(http::status::bad_request, modern::header_mismatch,
                                           "the Mcp-Name header is required for " + method));
        const auto named = modern::decode_header_value(hn->value());
        const auto* b = params.if_contains(member);
        if (!named || !b || !b->is_string() || b->get_string() != *named)
            co_return co_await send(refuse(http::status::bad_request, modern::header_mismatch,
                                           "Header mismatch: Mcp-Name does not match params." + std::string(member)));
    }
    if (method == "tools/call") {
        const auto* name = params.if_contains("name");
        auto tool = name && name->is_string() ? state_.core.registry().find_tool(name->get_string()) : nullptr;
        if (tool && !tool->mirrored.empty()) {
            const auto* a = params.if_contains("arguments");
            const auto& args = a && a->is_object() ? a->get_object() : no_params;
            for (const auto& m : tool->mirrored) {
                const auto want = modern::header_text(args, m);
                const std::string field = "mcp-param-" + m.header;
                const auto copies = request_.count(field);
                // Absent or null in the body: no header is expected, and one that came
                // anyway would tell an intermediary something the tool never sees.
                const bool matches = !want ? copies == 0 : copies == 1 && [&] {
                    const auto got = modern::decode_header_value(request_.find(field)->value());
                    return got && *got == *want;
                }();
                if (!matches)
                    co_return co_await send(refuse(http::status::bad_request, modern::header_mismatch,
                                                   "Header mismatch: Mcp-Param-" + m.header +
                                                       (!want ? " has no value in the body"
                                                        : copies == 0 ? " is missing"
                                                                      : " does not match the body")));
            }
        }
    }
    // The scope decision again, from the body (the headers were only a head start).
    if (auto refused = tool_refusal(message)) co_return co_await send(std::move(*refused));

    const bool listen = method == "subscriptions/listen";
    auto session = std::make_shared<http_session>(std::string(), caller_);
    session->set_mcp(state_.core.open_session(caller_, session, listen));
    stateless_session_ = session; // ended when this request is answered (or its stream closes)
    tracked_ = state_.track_request(session);
    auto stream = std::make_shared<event_stream>(co_await net::this_coro::executor);
    session->route(id, stream);
    if (auto m = session->mcp()) m->receive(std::move(message));
    if (listen && state_.stopping)
        if (auto m = session->mcp()) m->end_listens();
    if (!stream->has_event()) watch_disconnect(session); // an answer already there needs no watch

    event_stream::event first;
    event_stream::status got = event_stream::status::heartbeat;
    while (got == event_stream::status::heartbeat) {
        const auto next = co_await stream->next(first, std::chrono::hours(24));
        got = next;
    }
    if (got == event_stream::status::end) {
        stop_watching();
        co_return co_await send(make(http::status::accepted, v, "", ""));
    }
    if (first.final) {
        stop_watching();
        auto status = http::status::ok;
        if (first.error == modern::missing_client_capability || first.error == modern::header_mismatch ||
            first.error == modern::unsupported_protocol_version)
            status = http::status::bad_request;
        else if (first.error == mcp::jsonrpc::method_not_found)
            status = http::status::not_found;
        co_return co_await send(make(status, v, std::move(first.data), "application/json"));
    }
    const auto outcome = co_await stream_events(std::move(stream), 1, &first, nullptr);
    stop_watching();
    co_return outcome;
}

} // namespace warden::transport::detail
