package main

type Config struct {  // {{EXPECT}}
	Capacity int
	Name     string
}

func defaultConfig() Config {
	return Config{Capacity: 100, Name: "shop"}
}
