module github.com/rramtwin/rramtwin

go 1.26
