// Prints one line and exits: the run check reads stdout. Uses libstdc++ (strings, streams).
#include <iostream>
#include <string>

int main() {
    std::string who = "meson";
    std::cout << "hello from c++ (" << who << "), C++" << __cplusplus / 100 % 100 << std::endl;
    return 0;
}
