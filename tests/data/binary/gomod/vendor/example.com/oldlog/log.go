package oldlog

func Log(s string) string { return "[" + s + "]" }
