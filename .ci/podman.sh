# Sourced by .ci/run: installs Podman (with runc) and starts its Docker-compatible API service on a
# throw-away unix socket, with a busybox image made on the spot (no registry is reachable here), and
# exports FERRY_TEST_DOCKER_HOST and FERRY_TEST_IMAGE for the container executor's tests.
start_podman() {
  if ! command -v podman >/dev/null 2>&1 || ! command -v runc >/dev/null 2>&1 || [ ! -x /bin/busybox ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || true
    apt-get install -y -qq podman runc busybox-static >/dev/null
  fi
  PODMAN_DIR=$(mktemp -d /tmp/ferry-podman.XXXXXX)
  # crun cannot set limits here (no CAP_SYS_RESOURCE, hybrid cgroups); runc with cgroupfs can
  cat > "$PODMAN_DIR/containers.conf" <<'CONF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
CONF
  export CONTAINERS_CONF="$PODMAN_DIR/containers.conf"
  mkdir -p "$PODMAN_DIR/rootfs/bin" "$PODMAN_DIR/rootfs/tmp"
  cp /bin/busybox "$PODMAN_DIR/rootfs/bin/busybox"
  local applet
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$PODMAN_DIR/rootfs/bin/$applet"
  done
  tar -C "$PODMAN_DIR/rootfs" -cf "$PODMAN_DIR/rootfs.tar" .
  export FERRY_TEST_IMAGE=localhost/busybox # the image the README's example runs
  podman import --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin' "$PODMAN_DIR/rootfs.tar" "$FERRY_TEST_IMAGE" >/dev/null
  podman system service --time=0 "unix://$PODMAN_DIR/podman.sock" >"$PODMAN_DIR/service.log" 2>&1 &
  PODMAN_PID=$!
  local i
  for i in $(seq 1 100); do
    [ -S "$PODMAN_DIR/podman.sock" ] && break
    sleep 0.1
  done
  export FERRY_TEST_DOCKER_HOST="unix://$PODMAN_DIR/podman.sock"
  echo "$(podman --version) serving the Docker Engine API on $FERRY_TEST_DOCKER_HOST, image $FERRY_TEST_IMAGE"
}

stop_podman() {
  if [ -n "${PODMAN_PID:-}" ]; then
    kill "$PODMAN_PID" 2>/dev/null || true
    # the image stays (2 MB, made again next time): removing it by name could take one of the machine's own
    rm -rf "$PODMAN_DIR"
  fi
}
