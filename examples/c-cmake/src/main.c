/* Prints one line and exits: the run check reads stdout. */
#include <stdio.h>
#include "greeting.h"

int main(void) {
    printf("%s, built with gcc %d\n", greeting(), __GNUC__);
    return 0;
}
