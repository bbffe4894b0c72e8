package main

import (
	"fmt"

	"example.com/greet"
	"example.com/oldlog"
	"example.com/util"
)

var version = "dev"

func main() { fmt.Println(oldlog.Log(util.Twice(greet.Hello())), version) }
