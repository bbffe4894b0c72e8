package util

func Twice(s string) string { return s + s }
