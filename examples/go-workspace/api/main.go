// The workspace's only main package, importing a sibling module through go.work.
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"

	"example.com/kiln/greeting"
)

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	http.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, greeting.Text())
	})
	log.Fatal(http.ListenAndServe("0.0.0.0:"+port, nil))
}
