# Sourced by the install scripts: `apt_install WHO PACKAGE...` installs Debian packages, as root or
# through sudo (a normal user on a CI runner), quiet on success and with apt's whole output on
# failure, after which it stops the calling script.
apt_install() {
	local who=$1 sudo="" log
	shift
	if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
	log=$(mktemp)
	if ! { $sudo apt-get update -q &&
		$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"; } >"$log" 2>&1; then
		cat "$log" >&2
		echo "$who: apt-get failed to install $*" >&2
		rm -f "$log"
		exit 1
	fi
	rm -f "$log"
}
