#!/usr/bin/env bash
# vantage-healthcheck PATH: exit 0 when Vantage's HTTP port in this container answers GET PATH (/healthz, /readyz) with a
# 2xx status, 1 otherwise. Installed in the image as /usr/local/bin/vantage-healthcheck for Docker HEALTHCHECK and
# compose healthchecks.
#
# Plain bash (/dev/tcp), because the eclipse-temurin images do not promise curl or wget, and a second JVM started
# every few seconds in each container would cost more than the check is worth. The port is VANTAGE_HTTP_PORT, the
# variable the server itself reads, so the check follows it. /readyz may require the bearer token or basic
# credentials (VANTAGE_HTTP_TOKEN, VANTAGE_HTTP_BASIC_AUTH, or their _FILE forms); they are sent when set, and
# never printed.
set -u

path=${1:-/healthz}
port=${VANTAGE_HTTP_PORT:-8080}
# The wildcard address is reached on loopback; a specific one (VANTAGE_HTTP_ADDRESS=10.0.0.5) only on itself.
host=${VANTAGE_HTTP_ADDRESS:-127.0.0.1}
case $host in 0.0.0.0 | :: | "[::]") host=127.0.0.1 ;; esac
deadline=${VANTAGE_HEALTHCHECK_TIMEOUT:-5}

# The value of variable $1, else the content of the file named by ${1}_FILE, without surrounding white space
# (as Vantage reads them).
setting() {
    local name=$1 file_name="${1}_FILE" value=""
    if [[ -n ${!name:-} ]]; then
        value=${!name}
    elif [[ -n ${!file_name:-} && -r ${!file_name} ]]; then
        value=$(<"${!file_name}")
    fi
    value="${value#"${value%%[![:space:]]*}"}"
    value="${value%"${value##*[![:space:]]}"}"
    printf '%s' "$value"
}

auth=""
token=$(setting VANTAGE_HTTP_TOKEN)
basic=$(setting VANTAGE_HTTP_BASIC_AUTH)
if [[ -n $token ]]; then
    auth="Authorization: Bearer ${token}"$'\r\n'
elif [[ -n $basic ]]; then
    auth="Authorization: Basic $(printf '%s' "$basic" | base64 -w0)"$'\r\n'
fi

{ exec 3<>"/dev/tcp/${host}/${port}"; } 2>/dev/null || { echo "nothing listens on ${host}:${port}"; exit 1; }
printf 'GET %s HTTP/1.1\r\nHost: %s:%s\r\n%sConnection: close\r\n\r\n' "$path" "$host" "$port" "$auth" >&3 || exit 1
if ! read -r -t "$deadline" protocol status _ <&3; then
    echo "no answer from ${host}:${port}${path} within ${deadline} s"
    exit 1
fi
if [[ $protocol == HTTP/* && $status == 2[0-9][0-9] ]]; then
    exit 0
fi
echo "${host}:${port}${path} answered ${status:-nothing}"
exit 1
