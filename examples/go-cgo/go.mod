module example.com/kiln/gocgo

go 1.24
