// warden/mcp/schema.hpp: JSON Schema and JSON values for C++ types described with
// Boost.Describe.
//
// `schema_for<T>()` makes the JSON Schema (2020-12) of a tool's arguments or output;
// `from_json<T>()` checks and converts a JSON value into `T`, naming the offending path
// on failure; `to_json()` converts back.
//
// Supported types: bool, integers (range-checked), floating point, std::string, enums
// described with BOOST_DESCRIBE_ENUM (as their names), std::optional<T>, std::vector<T>,
// std::map<std::string, T>, boost::json::value/object/array (any value, served as is),
// and structs described with BOOST_DESCRIBE_STRUCT (nested freely).
//
// Which members are required: a `std::optional` member never is. Any other member is
// optional exactly when its default member initializer gives a value different from a
// value-initialized one (`int limit = 10;`); the schema then publishes that `default`.
// A member without such an initializer (`std::string query;`) is required. Unknown
// members are refused (`additionalProperties: false`).
//
// Member descriptions: declare, next to the struct, a function found by ADL:
//
//     inline warden::field_docs warden_field_docs(const search_args*) {
//         return {{"query", "What to search for"}, {"limit", "At most this many results"}};
//     }
#pragma once

#include <warden/error.hpp>

#include <boost/describe/class.hpp> // BOOST_DESCRIBE_STRUCT, which describes tool arguments
#include <boost/describe/enum.hpp>
#include <boost/describe/enum_from_string.hpp>
#include <boost/describe/enum_to_string.hpp>
#include <boost/describe/enumerators.hpp>
#include <boost/describe/members.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/mp11/algorithm.hpp>

#include <cmath>
#include <concepts>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace warden {

/// Descriptions of a struct's members, returned by an ADL `warden_field_docs(const T*)`.
using field_docs = std::vector<std::pair<std::string_view, std::string_view>>;

namespace mcp {

namespace detail {
template <class T> struct is_optional : std::false_type {};
template <class T> struct is_optional<std::optional<T>> : std::true_type {};
template <class T> struct is_vector : std::false_type {};
template <class T, class A> struct is_vector<std::vector<T, A>> : std::true_type {};
template <class T> struct is_string_map : std::false_type {};
template <class T, class C, class A> struct is_string_map<std::map<std::string, T, C, A>> : std::true_type {};

template <class T>
concept described_struct = boost::describe::has_describe_members<T>::value && std::is_class_v<T>;
template <class T>
concept described_enum = boost::describe::has_describe_enumerators<T>::value;
template <class T>
concept integer = std::integral<T> && !std::same_as<T, bool>;

template <class T>
concept has_field_docs = requires(const T* p) {
    { warden_field_docs(p) } -> std::convertible_to<field_docs>;
};

template <class T>
using public_members = boost::describe::describe_members<T, boost::describe::mod_public>;

/// Where in the document a value sits, rendered only when something is wrong with it.
struct path {
    const path* parent = nullptr;
    std::string_view member;
    std::size_t index = 0;
    bool is_index = false;

    std::string render() const {
        std::string out = parent ? parent->render() : std::string();
        if (is_index) return out + "[" + std::to_string(index) + "]";
        if (!out.empty() && !member.empty()) out += '.';
        out.append(member);
        return out;
    }
};

inline auto mismatch(const path& p, std::string_view expected) {
    std::string where = p.render();
    return failure(errc::invalid_params, (where.empty() ? std::string("value") : where) + ": expected " +
                                             std::string(expected));
}

/// True when member `M` of `T` has a default that makes it optional (see header comment).
template <class T, class D>
bool member_has_default() {
    using M = std::remove_cvref_t<decltype(std::declval<T&>().*D::pointer)>;
    if constexpr (is_optional<M>::value) {
        return true;
    } else if constexpr (std::equality_comparable<M> && std::is_default_constructible_v<M>) {
        static const T prototype{};
        return !(prototype.*D::pointer == M{});
    } else {
        return false;
    }
}
} // namespace detail

template <class T>
boost::json::value to_json(const T& v);

/// The JSON Schema of `T`.
template <class T>
boost::json::object schema_for() {
    using namespace detail;
    boost::json::object s;
    if constexpr (std::same_as<T, bool>) {
        s["type"] = "boolean";
    } else if constexpr (integer<T>) {
        s["type"] = "integer";
        if constexpr (std::is_unsigned_v<T>) s["minimum"] = 0;
    } else if constexpr (std::floating_point<T>) {
        s["type"] = "number";
    } else if constexpr (std::same_as<T, std::string>) {
        s["type"] = "string";
    } else if constexpr (described_enum<T>) {
        s["type"] = "string";
        boost::json::array names;
        boost::mp11::mp_for_each<boost::describe::describe_enumerators<T>>([&](auto e) { names.emplace_back(e.name); });
        s["enum"] = std::move(names);
    } else if constexpr (is_optional<T>::value) {
        return schema_for<typename T::value_type>();
    } else if constexpr (is_vector<T>::value) {
        s["type"] = "array";
        s["items"] = schema_for<typename T::value_type>();
    } else if constexpr (is_string_map<T>::value) {
        s["type"] = "object";
        s["additionalProperties"] = schema_for<typename T::mapped_type>();
    } else if constexpr (std::same_as<T, boost::json::object>) {
        s["type"] = "object";
    } else if constexpr (std::same_as<T, boost::json::array>) {
        s["type"] = "array";
    } else if constexpr (std::same_as<T, boost::json::value>) {
        // any JSON value: the empty schema
    } else if constexpr (described_struct<T>) {
        static_assert(std::is_default_constructible_v<T>,
                      "warden: a described argument struct must be default-constructible");
        s["type"] = "object";
        boost::json::object props;
        boost::json::array required;
        field_docs docs;
        if constexpr (has_field_docs<T>) docs = warden_field_docs(static_cast<const T*>(nullptr));
        boost::mp11::mp_for_each<public_members<T>>([&](auto d) {
            using D = decltype(d);
            using M = std::remove_cvref_t<decltype(std::declval<T&>().*D::pointer)>;
            boost::json::object member = schema_for<M>();
            for (const auto& [name, text] : docs)
                if (name == d.name) member["description"] = text;
            if (member_has_default<T, D>()) {
                if constexpr (!is_optional<M>::value) {
                    static const T prototype{};
                    member["default"] = to_json(prototype.*D::pointer);
                }
            } else {
                required.emplace_back(d.name);
            }
            props.emplace(d.name, std::move(member));
        });
        s["properties"] = std::move(props);
        if (!required.empty()) s["required"] = std::move(required);
        s["additionalProperties"] = false;
    } else {
        static_assert(sizeof(T) == 0,
                      "warden: no JSON Schema for this type; use bool, integers, floating point, std::string, "
                      "std::optional, std::vector, std::map<std::string, T>, boost::json types, or a struct or "
                      "enum described with BOOST_DESCRIBE_STRUCT / BOOST_DESCRIBE_ENUM");
    }
    return s;
}

/// `v` as JSON. Empty optionals become null, and are left out when they are struct members.
template <class T>
boost::json::value to_json(const T& v) {
    using namespace detail;
    if constexpr (std::same_as<T, bool> || integer<T> || std::floating_point<T>) {
        return boost::json::value(v);
    } else if constexpr (std::same_as<T, std::string>) {
        return boost::json::value(boost::json::string_view(v));
    } else if constexpr (described_enum<T>) {
        const char* name = boost::describe::enum_to_string(v, nullptr);
        if (name) return boost::json::value(name);
        return boost::json::value(static_cast<std::underlying_type_t<T>>(v));
    } else if constexpr (is_optional<T>::value) {
        return v ? to_json(*v) : boost::json::value(nullptr);
    } else if constexpr (is_vector<T>::value) {
        boost::json::array a;
        a.reserve(v.size());
        for (const auto& e : v) a.push_back(to_json(e));
        return a;
    } else if constexpr (is_string_map<T>::value) {
        boost::json::object o;
        for (const auto& [k, e] : v) o.emplace(k, to_json(e));
        return o;
    } else if constexpr (std::same_as<T, boost::json::value> || std::same_as<T, boost::json::object> ||
                         std::same_as<T, boost::json::array>) {
        return boost::json::value(v);
    } else if constexpr (described_struct<T>) {
        boost::json::object o;
        boost::mp11::mp_for_each<public_members<T>>([&](auto d) {
            using M = std::remove_cvref_t<decltype(v.*d.pointer)>;
            if constexpr (is_optional<M>::value) {
                if (!(v.*d.pointer)) return;
            }
            o.emplace(d.name, to_json(v.*d.pointer));
        });
        return o;
    } else {
        static_assert(sizeof(T) == 0, "warden: no JSON conversion for this type (see warden/mcp/schema.hpp)");
    }
}

namespace detail {
template <class T>
result<T> from_json_at(const boost::json::value& j, const path& at);
/// A described struct from an object (tool arguments: no copy of the object into a value).
template <class T>
result<T> struct_from_object(const boost::json::object& o, const path& at);

template <class I>
result<I> integer_from(const boost::json::value& j, const path& at) {
    constexpr auto lo = std::numeric_limits<I>::min();
    constexpr auto hi = std::numeric_limits<I>::max();
    auto range = [&] {
        return mismatch(at, "an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
    };
    if (j.is_int64()) {
        const std::int64_t x = j.get_int64();
        if (!std::in_range<I>(x)) return range();
        return static_cast<I>(x);
    }
    if (j.is_uint64()) {
        const std::uint64_t x = j.get_uint64();
        if (!std::in_range<I>(x)) return range();
        return static_cast<I>(x);
    }
    if (j.is_double()) {
        // 2020-12: an integer is any number with a zero fractional part (3.0 is one).
        const double d = j.get_double();
        if (!std::isfinite(d) || std::trunc(d) != d) return range();
        if (d < static_cast<double>(lo) || d >= std::ldexp(1.0, std::numeric_limits<I>::digits)) return range();
        return static_cast<I>(d);
    }
    return range();
}

template <class T>
result<T> from_json_at(const boost::json::value& j, const path& at) {
    if constexpr (std::same_as<T, bool>) {
        if (!j.is_bool()) return mismatch(at, "a boolean");
        return j.get_bool();
    } else if constexpr (integer<T>) {
        return integer_from<T>(j, at);
    } else if constexpr (std::floating_point<T>) {
        if (!j.is_number()) return mismatch(at, "a number");
        return static_cast<T>(j.to_number<double>());
    } else if constexpr (std::same_as<T, std::string>) {
        if (!j.is_string()) return mismatch(at, "a string");
        return std::string(j.get_string());
    } else if constexpr (described_enum<T>) {
        T out{};
        if (!j.is_string() || !boost::describe::enum_from_string(j.get_string().c_str(), out)) {
            std::string names;
            boost::mp11::mp_for_each<boost::describe::describe_enumerators<T>>([&](auto e) {
                names += names.empty() ? "one of " : ", ";
                names += e.name;
            });
            return mismatch(at, names);
        }
        return out;
    } else if constexpr (is_optional<T>::value) {
        if (j.is_null()) return T{};
        auto r = from_json_at<typename T::value_type>(j, at);
        if (!r) return r.error();
        return T(std::move(r).value());
    } else if constexpr (is_vector<T>::value) {
        if (!j.is_array()) return mismatch(at, "an array");
        T out;
        out.reserve(j.get_array().size());
        std::size_t i = 0;
        for (const auto& e : j.get_array()) {
            path here{&at, {}, i++, true};
            auto r = from_json_at<typename T::value_type>(e, here);
            if (!r) return r.error();
            out.push_back(std::move(r).value());
        }
        return out;
    } else if constexpr (is_string_map<T>::value) {
        if (!j.is_object()) return mismatch(at, "an object");
        T out;
        for (const auto& kv : j.get_object()) {
            path here{&at, kv.key()};
            auto r = from_json_at<typename T::mapped_type>(kv.value(), here);
            if (!r) return r.error();
            out.emplace(std::string(kv.key()), std::move(r).value());
        }
        return out;
    } else if constexpr (std::same_as<T, boost::json::value>) {
        return j;
    } else if constexpr (std::same_as<T, boost::json::object>) {
        if (!j.is_object()) return mismatch(at, "an object");
        return j.get_object();
    } else if constexpr (std::same_as<T, boost::json::array>) {
        if (!j.is_array()) return mismatch(at, "an array");
        return j.get_array();
    } else if constexpr (described_struct<T>) {
        const auto* obj = j.if_object();
        if (!obj) return mismatch(at, "an object");
        return struct_from_object<T>(*obj, at);
    } else {
        static_assert(sizeof(T) == 0, "warden: no JSON conversion for this type (see warden/mcp/schema.hpp)");
    }
}

template <class T>
result<T> struct_from_object(const boost::json::object& o, const path& at) {
    const auto* obj = &o; // (the members are found through it)
    T out{};
    std::size_t known = 0;
    result<void> status = success();
    boost::mp11::mp_for_each<public_members<T>>([&](auto d) {
        if (!status) return;
        using D = decltype(d);
        using M = std::remove_cvref_t<decltype(out.*D::pointer)>;
        path here{&at, d.name};
        const auto* member = obj->if_contains(d.name);
        if (!member) {
            if (!member_has_default<T, D>()) {
                std::string where = here.render();
                status = failure(errc::invalid_params, "missing required argument \"" + where + "\"");
            }
            return;
        }
        ++known;
        auto r = from_json_at<M>(*member, here);
        if (!r) {
            status = r.error();
            return;
        }
        out.*D::pointer = std::move(r).value();
    });
    if (!status) return status.error();
    if (known != obj->size()) {
        for (const auto& kv : *obj) {
            bool declared = false;
            boost::mp11::mp_for_each<public_members<T>>([&](auto d) { declared = declared || kv.key() == d.name; });
            if (!declared) {
                path here{&at, kv.key()};
                return failure(errc::invalid_params, "unknown argument \"" + here.render() + "\"");
            }
        }
    }
    return out;
}
} // namespace detail

/// Checks `j` against `T` and converts it. The error names the path and what was expected.
template <class T>
result<T> from_json(const boost::json::value& j, std::string_view root = {}) {
    detail::path at{nullptr, root};
    return detail::from_json_at<T>(j, at);
}
/// The same for an object, which a described struct is read from without copying it.
template <class T>
result<T> from_json(const boost::json::object& o, std::string_view root = {}) {
    detail::path at{nullptr, root};
    if constexpr (detail::described_struct<T>)
        return detail::struct_from_object<T>(o, at);
    else
        return detail::from_json_at<T>(boost::json::value(o), at);
}

} // namespace mcp
} // namespace warden
