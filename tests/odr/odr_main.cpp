#include <cstdio>
#include <string>

std::string odr_a();
std::string odr_b();
using odr_entry = void (*)();
odr_entry odr_a_entry();
odr_entry odr_b_entry();

int main() {
    const std::string a = odr_a(), b = odr_b();
    // Same inline entities in both units: only the secret's fingerprint differs.
    if (a == b || a.find("warden") == std::string::npos) {
        std::puts("odr: unexpected results");
        return 1;
    }
    if (odr_a_entry() != odr_b_entry()) {
        std::puts("odr: one function at two addresses");
        return 1;
    }
    std::puts("odr: two translation units linked");
    return 0;
}
