"""The services Paravent runs beside it, started on free loopback ports as children of this
process for the tests, the benchmarks and `make cluster`: Redis, nginx, PostgreSQL and
SeaweedFS (S3). Never the system services."""
