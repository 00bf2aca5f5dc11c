// The module's server: kiln builds it because it is named like the module.
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"

	"example.com/kiln/greeter/internal/greeting"
)

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	http.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, greeting.Text("greeter"))
	})
	log.Fatal(http.ListenAndServe("0.0.0.0:"+port, nil))
}
