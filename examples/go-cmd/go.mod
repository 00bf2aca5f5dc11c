module example.com/kiln/greeter

go 1.23

toolchain go1.23.4
