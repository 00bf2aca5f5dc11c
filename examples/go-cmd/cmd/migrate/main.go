// A second command, not the one the image runs.
package main

import "fmt"

func main() { fmt.Println("nothing to migrate") }
