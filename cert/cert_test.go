package cert
