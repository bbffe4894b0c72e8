module example.com/hello

go 1.19

require (
	example.com/greet v1.2.3
	example.com/util v1.4.0
	example.com/oldlog v0.9.0
)

replace example.com/greet => ./greet

replace example.com/oldlog v0.9.0 => example.com/newlog v1.1.0
