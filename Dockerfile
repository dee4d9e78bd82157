# The production image: a static binary (SQLite is pure Go, so no cgo) on a distroless
# base, running as a non-root user. Build: docker build -t custaccess .
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags="-s -w" -o /out/custaccess ./cmd/custaccess \
    && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/custaccess /custaccess
# The data directory (SQLite file, generated token secret) belongs to the non-root user.
COPY --from=build --chown=65532:65532 /out/data /data
ENV CUSTACCESS_ADDR=:8080 \
    CUSTACCESS_DATA_DIR=/data
USER 65532:65532
EXPOSE 8080
# The image has no shell or curl: the binary asks its own /healthz.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s CMD ["/custaccess", "healthcheck"]
ENTRYPOINT ["/custaccess"]
CMD ["serve"]
