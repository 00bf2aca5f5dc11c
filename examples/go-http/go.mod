module example.com/kiln/gohttp

go 1.22
