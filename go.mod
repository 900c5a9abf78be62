module github.com/rramtwin/rramtwin

go 1.26

require github.com/sigurn/crc16 v0.0.0-20211026045750-20ab5afb07e3
