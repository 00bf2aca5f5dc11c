module example.com/kiln/greeting

go 1.22
