module github.com/example/edge-proxy

go 1.20

require (
	github.com/gorilla/websocket v1.4.2
	github.com/prometheus/client_golang v1.11.1
	golang.org/x/net v0.7.0
)

require (
	github.com/beorn7/perks v1.0.1 // indirect
	golang.org/x/crypto v0.0.0-20201216223049-8b5274cf687f // indirect
	golang.org/x/sys v0.5.0 // indirect
)

require gopkg.in/yaml.v3 v3.0.0-20210107192922-496545a6307b

replace github.com/example/internal-auth => ../internal-auth
