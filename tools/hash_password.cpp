// hash_password: makes a password hash line for auth::basic's users credential.
//
//     hash_password alice            reads the password (twice, without echo on a terminal)
//     printf '%s' "$PW" | hash_password alice
//
// Prints "alice:$scrypt$ln=15,r=8,p=3$<salt>$<key>" on stdout. Options: --ln N (scrypt cost,
// 2^N; default 15) and --p P (default 3); below OWASP's minimum (N·r·p at least 655360) it
// warns, for only profile::development and profile::test accept such a hash.
#include <warden/crypto/password.hpp>

#include <iostream>
#include <string>
#include <string_view>

#include <termios.h>
#include <unistd.h>

namespace {
std::string read_password(bool tty, const char* prompt) {
    termios saved{};
    if (tty) {
        std::cerr << prompt << std::flush;
        tcgetattr(STDIN_FILENO, &saved);
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    std::string pw;
    std::getline(std::cin, pw);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        std::cerr << "\n";
    }
    return pw;
}
} // namespace

int main(int argc, char** argv) {
    std::string user;
    warden::crypto::scrypt_params params;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--ln" && i + 1 < argc) {
            if (!warden::detail::parse_decimal(std::string_view(argv[++i]), params.log2_n) || params.log2_n < 10 ||
                params.log2_n > 21) {
                std::cerr << "hash_password: --ln must be 10-21\n";
                return 2;
            }
        } else if (a == "--p" && i + 1 < argc) {
            if (!warden::detail::parse_decimal(std::string_view(argv[++i]), params.p) || params.p < 1 || params.p > 16) {
                std::cerr << "hash_password: --p must be 1-16\n";
                return 2;
            }
        } else if (a == "--help" || a.starts_with("-") || !user.empty()) {
            std::cerr << "usage: hash_password [--ln N] [--p P] USER   (the password is read from stdin)\n";
            return a == "--help" ? 0 : 2;
        } else {
            user = std::string(a);
        }
    }
    if (user.empty() || user.find(':') != std::string::npos) {
        std::cerr << "usage: hash_password [--ln N] [--p P] USER   (USER without ':'; the password is read from stdin)\n";
        return 2;
    }
    const bool tty = isatty(STDIN_FILENO);
    std::string pw = read_password(tty, "password: ");
    if (tty && read_password(tty, "again: ") != pw) {
        std::cerr << "hash_password: the passwords differ\n";
        return 1;
    }
    if (pw.empty()) {
        std::cerr << "hash_password: empty password\n";
        return 1;
    }
    auto h = warden::crypto::hash_password(pw, params);
    warden::crypto::cleanse(pw.data(), pw.size());
    if (!h) {
        std::cerr << "hash_password: " << h.error().message() << "\n";
        return 1;
    }
    // What a server will say of it: refused when it costs too much, warned when too little.
    auto parsed = warden::crypto::parse_password_hash(h.value());
    if (!parsed) {
        std::cerr << "hash_password: " << parsed.error().message() << "\n";
        return 2;
    }
    if (auto weak = warden::crypto::below_guidance(parsed.value()))
        std::cerr << "hash_password: warning: " << *weak
                  << "; only profile::development and profile::test accept it\n";
    std::cout << user << ":" << h.value() << "\n";
    return 0;
}
