module example.com/kiln/api

go 1.22
