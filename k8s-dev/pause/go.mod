module cryptoviz.dev/pause

go 1.24
