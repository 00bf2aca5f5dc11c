// A program calling C through cgo: the binary links glibc dynamically.
package main

/*
#include <stdio.h>
static int twice(int n) { return 2 * n; }
*/
import "C"

import "fmt"

func main() {
	fmt.Printf("hello from cgo: twice(21) = %d\n", int(C.twice(21)))
}
