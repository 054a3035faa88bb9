"""Run Rapid7's `icon-validate <plugin dir> --all` offline.

The validators make three kinds of network calls, stubbed here exactly as
shared/reference/insightconnect.md section 0 describes:
* GET https://extensions-api.rapid7.com/v2/public/extensions/<name> (VersionValidator) -> 404,
  i.e. "never published", so no version bump is demanded;
* GET .../v2/public/tags (UnapprovedKeywordsValidator) -> an empty last page;
* requests.request (RuntimeValidator's Docker Hub tag lookup) -> 404;
* URLValidator's HEAD checks on port 80 fail fast (they only ever produce warnings).
The `docker` CLI is hidden from PATH so DockerValidator skips (CI has no engine); the image is
checked by `just image` where an engine exists.
Exit status is icon-validate's: non-zero when any validator fails.
"""

import http.client
import os
import shutil
import sys
import tempfile

import requests


class _FakeResponse:
    def __init__(self, status, payload=None):
        self.status_code = status
        self._payload = payload
        self.text = "" if payload is None else str(payload)

    def json(self):
        if self._payload is None:
            raise ValueError("no JSON body (offline stub)")
        return self._payload

    def raise_for_status(self):
        if self.status_code >= 400:
            raise requests.exceptions.HTTPError(f"{self.status_code} (offline stub)")


def _fake_get(url=None, *args, **kwargs):
    url = url or kwargs.get("url", "")
    if "/v2/public/tags" in url:
        return _FakeResponse(200, {"results": [], "pageInfo": {"hasNextPage": False}})
    return _FakeResponse(404)


def _fake_request(method=None, url=None, *args, **kwargs):
    return _FakeResponse(404)


def _offline_connect(self):
    raise OSError("offline: URL check skipped")


def _hide_docker():
    """Rebuild PATH so no entry provides `docker`; other tools in those dirs stay reachable."""
    shadow = tempfile.mkdtemp(prefix="icon-validate-bin-")
    parts = []
    for d in os.environ.get("PATH", "").split(os.pathsep):
        if not d or not os.path.isdir(d):
            continue
        if os.path.exists(os.path.join(d, "docker")):
            for name in os.listdir(d):
                if name == "docker":
                    continue
                src = os.path.join(d, name)
                dst = os.path.join(shadow, name)
                if os.path.isfile(src) and os.access(src, os.X_OK) and not os.path.exists(dst):
                    os.symlink(src, dst)
            parts.append(shadow)
        else:
            parts.append(d)
    os.environ["PATH"] = os.pathsep.join(parts)
    return shadow


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: validate_plugin.py <plugin dir>\n")
        return 2
    plugin_dir = os.path.abspath(sys.argv[1])
    requests.get = _fake_get
    requests.request = _fake_request
    http.client.HTTPConnection.connect = _offline_connect
    shadow = _hide_docker()
    try:
        from icon_validator.__main__ import main as icon_validate

        sys.argv = ["icon-validate", plugin_dir, "--all"]
        try:
            icon_validate()
        except SystemExit as e:
            return int(e.code or 0)
        return 0
    finally:
        shutil.rmtree(shadow, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
