// A second executable, shipped but not started.
#include <cstdio>

int main() {
    std::puts("selftest ok");
    return 0;
}
