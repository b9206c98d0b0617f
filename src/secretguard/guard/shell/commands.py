"""What commands do with their arguments: data for the analyzer.

Option grammars (which options take a value) matter because a value is not a file operand and
`grep PATTERN FILE` reads FILE, not PATTERN. A wrong guess here errs towards checking more.
"""

from __future__ import annotations

import re


class Spec:
    """Option grammar: short options taking a value, long options taking N values."""
    __slots__ = ("short", "long", "pattern_first")

    def __init__(self, short: str = "", long: dict[str, int] | tuple[str, ...] = (), pattern_first: bool = False) -> None:
        self.short = short
        self.long = long if isinstance(long, dict) else {name: 1 for name in long}
        self.pattern_first = pattern_first


NO_OPTS = Spec()

# Commands that print, copy, send or show the content of their file operands.
READERS: dict[str, Spec] = {
    **{n: NO_OPTS for n in (
        "cat", "tac", "rev", "less", "more", "most", "pg", "strings", "expand", "unexpand", "iconv",
        "dos2unix", "unix2dos", "md5sum", "sha1sum", "sha224sum", "sha256sum", "sha384sum", "sha512sum", "b2sum",
        "cksum", "sum", "bat", "batcat", "view", "vim", "vi", "nvim", "nano", "emacs", "ed", "ex", "pico", "micro",
        "code", "subl", "gedit", "kate", "mate", "open", "xdg-open", "zcat", "gzcat", "bzcat", "xzcat", "zstdcat",
        "lz4cat", "zless", "zmore", "zdiff", "gunzip", "gzip", "bzip2", "bunzip2", "xz", "unxz", "zstd", "lz4",
        "uuencode", "base32", "basenc", "vimdiff", "meld", "xclip", "xsel", "pbcopy", "wl-copy", "lp", "lpr",
        "enscript", "a2ps", "hd", "look", "jless", "fx", "tree-sitter", "glow", "mdcat", "pandoc")},
    "head": Spec("nc", ("lines", "bytes")),
    "tail": Spec("ncs", ("lines", "bytes", "sleep-interval", "pid", "max-unchanged-stats")),
    "nl": Spec("bdfhilnpsvw", ("body-numbering", "section-delimiter", "footer-numbering", "header-numbering",
                               "line-increment", "join-blank-lines", "number-format", "number-separator",
                               "starting-line-number", "number-width")),
    "od": Spec("AjNStw", ("address-radix", "skip-bytes", "read-bytes", "strings", "format", "width")),
    "xxd": Spec("cglos", ("cols", "groupsize", "len", "offset", "seek")),
    "hexdump": Spec("enfs", ()),
    "base64": Spec("w", ("wrap",)),
    "sort": Spec("kotST", ("key", "output", "field-separator", "buffer-size", "temporary-directory", "parallel",
                           "files0-from", "compress-program", "batch-size", "sort")),
    "uniq": Spec("fsw", ("skip-fields", "skip-chars", "check-chars", "group", "all-repeated")),
    "cut": Spec("bcdf", ("bytes", "characters", "delimiter", "fields", "output-delimiter")),
    "paste": Spec("d", ("delimiters",)),
    "join": Spec("12jteo", ()),
    "comm": Spec("", ("output-delimiter",)),
    "diff": Spec("CUFISXxLDW", ("context", "unified", "show-function-line", "ignore-matching-lines", "label",
                                "starting-file", "exclude", "exclude-from", "from-file", "to-file", "width",
                                "line-format", "new-line-format", "old-line-format", "unchanged-line-format",
                                "changed-group-format", "new-group-format", "old-group-format",
                                "unchanged-group-format", "tabsize", "palette", "color", "horizon-lines")),
    "sdiff": Spec("ow", ("output", "width", "diff-program")),
    "diff3": Spec("L", ("label", "diff-program")),
    "cmp": Spec("iIn", ("ignore-initial", "bytes")),
    "fold": Spec("w", ("width",)),
    "fmt": Spec("wgp", ("width", "goal", "prefix")),
    "pr": Spec("hlwoNSe", ("header", "length", "width", "indent", "first-line-number", "sep-string")),
    "column": Spec("cstoRNEHWdl", ("output-width", "separator", "output-separator", "table-columns",
                                   "table-right", "table-truncate", "table-noextreme", "table-wrap",
                                   "table-hide", "table-name", "table-order", "tree", "tree-id", "tree-parent")),
    "jq": Spec("fL", {"arg": 2, "argjson": 2, "slurpfile": 2, "rawfile": 2, "from-file": 1, "indent": 1,
                      "args": 0, "jsonargs": 0}, pattern_first=True),
    "gojq": Spec("fL", {"arg": 2, "argjson": 2, "slurpfile": 2, "rawfile": 2, "from-file": 1, "indent": 1},
                 pattern_first=True),
    "yq": Spec("", ("indent", "output-format", "input-format", "expression", "front-matter"), pattern_first=True),
    "split": Spec("abCln", ("suffix-length", "additional-suffix", "bytes", "line-bytes", "lines", "number",
                            "separator", "filter")),
    "csplit": Spec("bfn", ("suffix-format", "prefix", "digits")),
}

# Commands whose operands are file names only: nothing of the content comes back.
NEUTRAL = {
    "echo", "printf", "ls", "dir", "vdir", "stat", "test", "[", "touch", "rm", "rmdir", "mkdir", "chmod", "chown",
    "chgrp", "chattr", "lsattr", "realpath", "readlink", "basename", "dirname", "which", "whereis", "type", "hash",
    "true", "false", ":", "sleep", "exit", "return", "unset", "unalias", "wait", "kill", "killall", "jobs", "fg",
    "bg", "disown", "umask", "ulimit", "shift", "break", "continue", "let", "getopts", "read", "mapfile",
    "readarray", "shopt", "wc", "du", "df", "file", "tree", "mkfifo", "mktemp", "id", "whoami", "date", "uname",
    "hostname", "seq", "yes", "shred", "unlink", "pwd", "history", "clear", "tput", "stty", "nproc", "free",
    "uptime", "pgrep", "pkill", "sync", "mknod", "tty", "groups", "logname", "users", "who", "w", "locale",
    "cal", "factor", "expr", "tr", "truncate", "fuser", "lsof", "sha", "getconf", "arch", "dirs", "popd",
    "sleepenh", "help", "logger", "notify-send", "beep", "watchman", "exa", "eza", "lsd", "fd", "fdfind",
    "locate", "mlocate", "plocate", "namei", "chcon", "setfacl", "getfacl", "compgen", "complete", "bind",
    "caller", "enable", "suspend", "times", "ssh-add",
}

# Commands that change their operands: protected files must not be among them.
WRITERS = {
    "rm", "rmdir", "touch", "chmod", "chown", "chgrp", "chattr", "mkdir", "shred", "unlink", "truncate", "ln",
    "mv", "cp", "install", "tee", "rsync", "dd", "patch", "setfacl", "chcon", "split", "csplit", "mknod",
    "mkfifo", "sponge", "vim", "vi", "nvim", "nano", "emacs", "ed", "ex", "pico", "micro", "code", "subl",
    "gedit", "kate", "mate",
}

# Commands that copy or archive what they read: operands are read, recursively with -r/-a.
COPIERS: dict[str, Spec] = {
    "cp": Spec("tS", ("target-directory", "suffix", "backup", "reflink", "sparse", "preserve", "no-preserve",
                      "context")),
    "mv": Spec("tS", ("target-directory", "suffix", "backup")),
    "ln": Spec("tS", ("target-directory", "suffix", "backup")),
    "install": Spec("tSgmoC", ("target-directory", "suffix", "group", "mode", "owner", "context",
                               "strip-program", "backup")),
    "rsync": Spec("eBfTM", ("rsh", "block-size", "filter", "temp-dir", "remote-option", "exclude", "include",
                            "exclude-from", "include-from", "files-from", "compare-dest", "copy-dest",
                            "link-dest", "log-file", "password-file", "rsync-path", "chmod", "chown",
                            "partial-dir", "backup-dir", "suffix", "max-size", "min-size", "bwlimit", "timeout",
                            "port", "sockopts", "out-format", "info", "debug", "usermap", "groupmap", "iconv",
                            "checksum-choice", "compress-choice", "compress-level", "skip-compress")),
    "scp": Spec("cFiJlOoPS", ()),
    "sftp": Spec("bBcDFiJloPRsS", ()),
}

# Wrappers: run the rest of the line as a command. (short opts with a value, long opts with a
# value, how many positional words precede the command, option that takes a command string)
WRAPPERS: dict[str, tuple[str, tuple[str, ...], int, str | None]] = {
    "sudo": ("ugpCDrtUTh", ("user", "group", "prompt", "close-from", "chdir", "role", "type", "other-user",
                            "command-timeout", "host"), 0, None),
    "doas": ("uC", (), 0, None),
    "nohup": ("", (), 0, None),
    "nice": ("n", ("adjustment",), 0, None),
    "ionice": ("cnp", ("class", "classdata", "pid"), 0, None),
    "time": ("fo", ("format", "output"), 0, None),
    "timeout": ("sk", ("signal", "kill-after"), 1, None),
    "stdbuf": ("ioe", ("input", "output", "error"), 0, None),
    "builtin": ("", (), 0, None),
    "exec": ("a", (), 0, None),
    "setsid": ("", (), 0, None),
    "chronic": ("", (), 0, None),
    "unbuffer": ("", (), 0, None),
    "caffeinate": ("t", (), 0, None),
    "taskset": ("", (), 1, None),
    "chrt": ("", (), 1, None),
    "flock": ("wEc", ("timeout", "conflict-exit-code", "command"), 1, "c"),
    "strace": ("abeIoOpPsSuUX", (), 0, None),
    "ltrace": ("aAeEnopsSu", (), 0, None),
    "chroot": ("", ("userspec", "groups"), 1, None),
    "su": ("cgGsw", ("command", "group", "supp-group", "shell", "whitelist-environment"), 0, "c"),
    "runuser": ("cgGsuw", ("command", "group", "supp-group", "shell", "user", "whitelist-environment"), 0, "c"),
    "script": ("cEIOTt", ("command", "echo", "log-in", "log-out", "log-timing", "logging-format"), 0, "c"),
    "firejail": ("", (), 0, None),
    "proxychains": ("f", (), 0, None),
    "proxychains4": ("f", (), 0, None),
    "torsocks": ("", (), 0, None),
    "unshare": ("", (), 0, None),
    "nsenter": ("tSG", ("target", "setuid", "setgid"), 0, None),
    "dbus-run-session": ("", ("config-file", "dbus-daemon"), 0, None),
    "xvfb-run": ("nsfe", ("server-num", "server-args", "auth-file", "error-file"), 0, None),
    "catchsegv": ("", (), 0, None),
    "valgrind": ("", (), 0, None),
    "faketime": ("", (), 1, None),
    "ssh-agent": ("aEPt", (), 0, None),
    "command": ("", (), 0, None),
    "busybox": ("", (), 0, None),
    "entr": ("", (), 0, None),
    "screen": ("ScpTeX", (), 0, None),
}

# Tool runners: `uv run CMD`, `npx CMD`, `poetry run CMD`... (subcommand that runs, or "" for all)
RUNNERS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "uv": ("run", "p", ("python", "with", "with-requirements", "project", "directory", "group", "extra",
                        "package", "env-file", "index", "index-url", "extra-index-url", "find-links")),
    "uvx": ("", "p", ("python", "with", "from", "index-url")),
    "pipx": ("run", "", ("python", "spec", "index-url", "pip-args")),
    "poetry": ("run", "C", ("directory", "project")),
    "pipenv": ("run", "", ()),
    "pdm": ("run", "p", ("project",)),
    "hatch": ("run", "e", ("env",)),
    "rye": ("run", "", ()),
    "pixi": ("run", "e", ("environment", "manifest-path")),
    "conda": ("run", "np", ("name", "prefix", "cwd")),
    "mamba": ("run", "np", ("name", "prefix", "cwd")),
    "micromamba": ("run", "np", ("name", "prefix", "cwd")),
    "bundle": ("exec", "", ()),
    "npx": ("", "pc", ("package", "call")),
    "bunx": ("", "p", ("package",)),
    "pnpx": ("", "", ()),
    "pnpm": ("exec", "C", ("dir",)),
    "yarn": ("exec", "", ()),
    "nix-shell": ("", "p", ("packages", "run", "command")),
    "devbox": ("run", "", ()),
    "direnv": ("exec", "", ()),
    "aws-vault": ("exec", "", ("duration", "region", "mfa-token", "backend")),
    # secret managers that run a command with secrets in its environment (a human decides: ask)
    "doppler": ("run", "pc", ("project", "config", "token", "scope", "command", "mount", "mount-format")),
    "op": ("run", "", ("env-file", "account", "session")),
    "infisical": ("run", "", ("env", "path", "projectId", "token", "domain", "command")),
    "chamber": ("exec", "", ("backend",)),
    "envchain": ("", "", ()),
}
# Runners whose command gets secrets in its environment: asked, and the command is judged too.
SECRET_RUNNERS = {"direnv", "aws-vault", "doppler", "op", "infisical", "chamber", "envchain"}
# Python modules (and one-liner imports) that reach the OS keyring or the Secret Service behind it,
# where secretguard keeps its Vault login: `python3 -m keyring get secretguard-vault $VAULT_ADDR`.
KEYRING_MODULES = ("keyring", "keyrings", "secretstorage", "jeepney", "dbus", "dbus_next", "pydbus", "dasbus",
                   "sdbus", "gi")

SHELLS = {"bash", "sh", "zsh", "dash", "ksh", "mksh", "ash", "fish", "rbash", "yash", "posh", "tcsh", "csh"}
INTERPRETERS = {
    # name: (language, short options whose value is code, short options taking another value,
    #        long options whose value is code, long options taking another value)
    "python": ("python", "c", "mWXQ", (), ("check-hash-based-pycs",)),
    "pypy": ("python", "c", "mWX", (), ()),
    "node": ("node", "ep", "r", ("eval", "print"), ("require", "import", "loader", "experimental-loader",
                                                    "input-type", "conditions", "inspect-port", "title")),
    "nodejs": ("node", "ep", "r", ("eval", "print"), ("require", "import", "loader")),
    "bun": ("node", "e", "r", ("eval", "print"), ("preload", "cwd", "env-file", "config")),
    "deno": ("node", "", "", (), ("config", "import-map", "env", "env-file", "location", "cert", "lock")),
    "ruby": ("ruby", "e", "rICEFx", (), ("encoding",)),
    "irb": ("ruby", "", "rI", (), ()),
    "perl": ("perl", "eE", "IMm", (), ()),
    "php": ("php", "r", "dcfzBRFE", (), ()),
    "lua": ("lua", "e", "l", (), ()),
    "luajit": ("lua", "e", "lj", (), ()),
    "Rscript": ("r", "e", "", (), ()),
    "osascript": ("applescript", "e", "l", (), ()),
}
INTERPRETER_NAME = re.compile(r"^(python|pypy|node|nodejs|ruby|perl|php|lua|luajit)(?:[\d.]+)?$")  # python3.12, node18
# Output that is a subset of the input lines: an estimate of the input stays one of the output.
SUBSET_FILTERS = {"head", "tail", "sort", "uniq", "grep", "egrep", "fgrep", "rg", "cat", "tac", "shuf", "tee"}

SECRETGUARD_ALLOWED = {"scan", "doctor", "status", "profiles", "version", "hook", "--version", "--help", "-h",
                       "help"}
SECRETGUARD_DENIED = {"approve", "login", "logout", "install", "uninstall", "baseline", "allow", "trust",
                      "config", "unapprove", "revoke", "reset", "dev-server", "claude"}

# Variables whose value is run as a command, or names a file that gets read.
COMMAND_VARS = {"GIT_SSH_COMMAND", "GIT_EDITOR", "GIT_SEQUENCE_EDITOR", "EDITOR", "VISUAL", "PAGER", "GIT_PAGER",
                "MANPAGER", "PROMPT_COMMAND", "GIT_EXTERNAL_DIFF", "SSH_ASKPASS", "GIT_ASKPASS", "SUDO_ASKPASS",
                "LESSOPEN", "LESSCLOSE", "FZF_DEFAULT_COMMAND", "GIT_PROXY_COMMAND"}
FILE_VARS = {"BASH_ENV", "ENV", "PYTHONSTARTUP", "NODE_OPTIONS", "DOTENV_CONFIG_PATH", "GIT_CONFIG_GLOBAL",
             "GIT_CONFIG_SYSTEM", "LD_PRELOAD", "RUBYOPT", "PERL5OPT", "ENV_FILE", "DOTENV_PATH"}
# Variables naming a credential file a tool uses itself (`KUBECONFIG=~/.kube/config kubectl get pods`):
# the tool authenticates with it and prints none of it, so they are not reads. (GIT_CONFIG_GLOBAL is a
# read: `git config --global -l` prints whatever file it names.)
USE_VARS = {"KUBECONFIG", "GOOGLE_APPLICATION_CREDENTIALS", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE",
            "NETRC", "CURL_HOME", "DOCKER_CONFIG", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "VAULT_CACERT",
            "VAULT_CLIENT_CERT", "VAULT_CLIENT_KEY", "PGPASSFILE", "PGSSLKEY", "ANSIBLE_PRIVATE_KEY_FILE"}


class Tool:
    """What a command does with its arguments, so that only what it reads is judged as read.

    uses: options whose value is a file the tool uses itself (a key it signs or logs in with, a
        kubeconfig): nothing of it reaches the output, so a credential file there is no read.
    writes: options whose value is a file the tool creates or overwrites (`-keyout`, `-o`).
    reads: options whose value is a file whose content the tool prints or sends (`openssl rsa -in`).
    words: options whose value is free text, never a path (a test name filter: `jest -t`).
    valued: other options that take a value, judged like an unknown command's argument.
    operands: "generic" (a credential file among them is refused), "use" or "read".
    quiet / loud: flags that turn `reads` into uses (`-pubout`: only the public half is printed),
        and flags that undo that (`-text` prints the private numbers too).
    subs: subcommand -> the grammar it adds (`openssl rsa`); glue: `-fFILE` is `-f FILE`.
    """
    __slots__ = ("uses", "writes", "reads", "words", "valued", "operands", "quiet", "loud", "subs", "glue")

    def __init__(self, uses: tuple[str, ...] = (), writes: tuple[str, ...] = (), reads: tuple[str, ...] = (),
                 words: tuple[str, ...] = (), valued: tuple[str, ...] = (), operands: str = "generic",
                 quiet: tuple[str, ...] = (), loud: tuple[str, ...] = (), subs: dict[str, "Tool"] | None = None,
                 glue: bool = True) -> None:
        self.uses, self.writes, self.reads = frozenset(uses), frozenset(writes), frozenset(reads)
        self.words, self.valued = frozenset(words), frozenset(valued)
        self.operands, self.quiet, self.loud = operands, frozenset(quiet), frozenset(loud)
        self.subs, self.glue = subs or {}, glue

    def merged(self, sub: "Tool") -> "Tool":
        """This grammar with a subcommand's added (the subcommand's operand policy wins)."""
        return Tool(tuple(self.uses | sub.uses), tuple(self.writes | sub.writes), tuple(self.reads | sub.reads),
                    tuple(self.words | sub.words), tuple(self.valued | sub.valued), sub.operands,
                    tuple(self.quiet | sub.quiet), tuple(self.loud | sub.loud), sub.subs, self.glue and sub.glue)


_OPENSSL_KEY = Tool(reads=("-in",), operands="generic", quiet=("-pubout", "-noout"), loud=("-text",))
_OPENSSL_PRINTS = Tool(reads=("-in",))
_KUBE = Tool(uses=("--kubeconfig", "--client-key", "--client-certificate", "--certificate-authority"),
             valued=("-n", "--namespace", "--context", "--cluster", "--user", "-l", "--selector", "-o", "--output",
                     "-c", "--container", "--server", "-s", "--as", "--as-group", "--request-timeout", "--field-selector",
                     "--sort-by", "--tail", "--since", "--timeout", "-p", "--patch", "--type", "--image", "--replicas",
                     "-f", "--filename", "-k", "--kustomize"))
_TESTS = ("-t", "--testNamePattern", "--testPathPattern", "--testPathIgnorePatterns", "-g", "--grep", "--fgrep",
          "-k", "-m", "--deselect", "-run", "--run", "-skip", "--skip", "-bench", "--bench", "--filter",
          "--test-name-pattern", "--exclude-tag", "--tag", "--tags")
TOOLS: dict[str, Tool] = {
    # keys made and used, never printed (`ssh-keygen -y` prints the public half)
    "ssh-keygen": Tool(uses=("-f", "-s", "-I", "-D"), writes=(), valued=("-t", "-b", "-C", "-N", "-P", "-n", "-V", "-O",
                                                                        "-Y", "-r", "-E", "-m", "-a", "-w", "-Z", "-z"),
                       operands="use"),
    "openssl": Tool(uses=("-key", "-inkey", "-signkey", "-CAkey", "-CA", "-cert", "-certfile", "-CAfile", "-CApath",
                          "-config", "-passin", "-passout", "-pass", "-kfile", "-rand", "-writerand", "-extfile",
                          "-in", "-verify", "-prverify", "-sign", "-untrusted", "-chainCAfile"),
                    writes=("-out", "-keyout", "-reqout", "-CAserial"),
                    valued=("-newkey", "-subj", "-days", "-set_serial", "-name", "-pkeyopt", "-sigopt", "-extensions",
                            "-reqexts", "-addext", "-connect", "-servername", "-digest", "-md", "-cipher", "-algorithm",
                            "-inform", "-outform", "-keyform", "-certform", "-nameopt", "-certopt", "-purpose"),
                    subs={n: _OPENSSL_KEY for n in ("rsa", "ec", "dsa", "pkey", "pkcs8", "pkcs12", "genpkey")} |
                         {n: _OPENSSL_PRINTS for n in ("enc", "base64", "cms", "smime", "pkeyutl", "rsautl",
                                                       "asn1parse", "storeutl", "aes-256-cbc", "des3")},
                    glue=False),
    # clusters, containers and clouds: credentials they log in with
    "kubectl": _KUBE, "oc": _KUBE, "helm": Tool(uses=("--kubeconfig", "--ca-file", "--cert-file", "--key-file",
                                                      "--password-file"),
                                                valued=("-n", "--namespace", "--kube-context", "-o", "--output",
                                                        "--version", "--set", "--set-string", "--timeout", "-f",
                                                        "--values")),
    "k9s": Tool(uses=("--kubeconfig",)), "kubectx": Tool(), "kubens": Tool(),
    "docker": Tool(uses=("--config", "--tlscacert", "--tlscert", "--tlskey"), valued=("-H", "--host", "--context", "-l",
                                                                                    "--log-level")),
    "gcloud": Tool(uses=("--key-file", "--cred-file", "--credential-file-override", "--access-token-file")),
    "ansible-playbook": Tool(uses=("--private-key", "--key-file", "--vault-password-file", "--vault-pass-file"),
                             valued=("-i", "--inventory", "-e", "--extra-vars", "-l", "--limit", "-t", "--tags", "-u",
                                     "--user")),
    "ansible": Tool(uses=("--private-key", "--key-file", "--vault-password-file", "--vault-pass-file")),
    "vault": Tool(uses=("-ca-cert", "-client-cert", "-client-key", "-ca-path"), glue=False),
    "curl": Tool(uses=("--cert", "-E", "--key", "--cacert", "--capath", "--netrc-file", "--proxy-cert", "--proxy-key",
                       "--proxy-cacert", "--crlfile", "--pinnedpubkey"),
                 writes=("-o", "--output", "-D", "--dump-header", "-c", "--cookie-jar", "--trace", "--trace-ascii",
                         "--stderr", "--libcurl", "--etag-save")),
    "wget": Tool(uses=("--certificate", "--private-key", "--ca-certificate", "--ca-directory"),
                 writes=("-O", "--output-document", "-o", "--output-file", "-a", "--append-output", "--save-cookies"),
                 reads=("--post-file", "--body-file", "-i", "--input-file")),
    # test runners: a filter is a test name, however much it looks like `process.env`
    **{n: Tool(words=_TESTS, uses=("-c", "--config", "--rootDir")) for n in (
        "jest", "vitest", "mocha", "ava", "jasmine", "playwright", "cypress", "karma", "tap", "bun")},
    **{n: Tool(words=_TESTS) for n in ("pytest", "py.test", "nox", "tox", "gotestsum", "rspec", "phpunit")},
}


# Commands that use a secret handed to them in an argument (`curl -H "Authorization: Bearer $TOKEN"`):
# options whose value is passed on, whether operands are (URLs), and the flags that print the request.
SECRET_USES: dict[str, tuple[frozenset[str], bool, frozenset[str]]] = {
    "curl": (frozenset({"-H", "--header", "-u", "--user", "--oauth2-bearer", "--proxy-user", "-U", "-b", "--cookie",
                        "-d", "--data", "--data-raw", "--data-binary", "--data-urlencode", "--json", "-F", "--form",
                        "--form-string", "--url", "--proxy-header", "--aws-sigv4"}), True,
             frozenset({"-v", "--verbose", "--trace", "--trace-ascii", "--trace-config", "--libcurl"})),
    "wget": (frozenset({"--header", "--user", "--password", "--http-user", "--http-password", "--post-data",
                        "--body-data", "--proxy-user", "--proxy-password"}), True, frozenset({"-d", "--debug"})),
    **{n: (frozenset({"-a", "--auth"}), True, frozenset({"-v", "--verbose", "--print", "-p", "-P", "--offline",
                                                          "--history-print"})) for n in ("http", "https", "xh", "xhs")},
    **{n: (frozenset({"-p", "--password"}), False, frozenset()) for n in (
        "mysql", "mysqldump", "mysqladmin", "mariadb", "mariadb-dump", "sshpass")},
    **{n: (frozenset({"-d", "--dbname"}), True, frozenset()) for n in ("psql", "pg_dump", "pg_restore", "pgcli",
                                                                       "pg_dumpall")},
    "redis-cli": (frozenset({"-a", "--pass", "-u", "--user"}), False, frozenset()),
    **{n: (frozenset({"-p", "--password", "--uri"}), True, frozenset()) for n in ("mongosh", "mongo", "mongodump",
                                                                                   "mongorestore")},
    "gh": (frozenset({"-H", "--header"}), False, frozenset()),
    # git prints URLs with their credentials taken out; what it writes (`commit -m "$TOKEN"`) is not this
    "git": (frozenset({"-c"}), True, frozenset()),
}
_GIT_URL_SUBCOMMANDS = {"clone", "fetch", "pull", "push", "ls-remote"}
# Commands reading a secret on stdin: `echo "$TOKEN" | docker login -u me --password-stdin`.
_STDIN_SECRETS = {"--password-stdin", "--with-token", "--token-stdin"}


def secret_uses(lits: list[str | None], raws: list[str], sink: bool = False) -> set[int]:
    """Indexes of the words whose secret-named variables the command uses rather than prints."""
    if not lits or lits[0] is None:
        return set()
    name = lits[0].rsplit("/", 1)[-1]
    if sink and name in ("echo", "printf"):
        return set(range(1, len(lits)))  # printed into the pipe of a command that logs in with it
    spec = SECRET_USES.get(name)
    if spec is None:
        return set()
    opts, operands, blockers = spec
    for t in lits[1:]:
        if t and t.startswith("-") and (t.split("=", 1)[0] in blockers or not t.startswith("--") and t[1:].isalpha()
                                        and any(len(b) == 2 and b[1] in t[1:] for b in blockers)):
            return set()
    if name == "git" and not _GIT_URL_SUBCOMMANDS & {t for t in lits if t}:
        operands = False
    out: set[int] = set()
    i = 1
    while i < len(lits):
        t = lits[i]
        raw = raws[i].strip("'\"")
        if t is not None and t.startswith("-"):
            if t in opts:
                out.add(i + 1)
                i += 2
                continue
            i += 1
            continue
        if t is None and (any(raw.startswith(o + "=") for o in opts if o.startswith("--")) or
                          any(raw.startswith(o) and len(raw) > 2 for o in opts if len(o) == 2)):
            out.add(i)  # --header=..., -p$PASSWORD
        elif t is None and operands and not raw.startswith("-"):
            out.add(i)
        i += 1
    return out


def secret_stdin(lits: list[str | None]) -> bool:
    """Does this command read a secret on stdin to log in with (`docker login --password-stdin`)?"""
    return bool(lits) and lits[0] is not None and any(t in _STDIN_SECRETS for t in lits[1:] if t) and \
        any(t == "login" for t in lits[1:3] if t)


def _positionals(words: list[str | None], flags_without_value: set[str] = frozenset()) -> list[str]:
    """Words that are not options (an option's value is skipped unless the option is a known flag)."""
    out: list[str] = []
    skip = False
    for w in words:
        if w is None:
            out.append("\x01")
            continue
        if skip:
            skip = False
            continue
        if w.startswith("--"):
            if "=" not in w and w not in flags_without_value and w != "--":
                skip = True
            continue
        if w.startswith("-") and len(w) > 1:
            continue
        out.append(w)
    return out


_AWS_FLAGS = {"--debug", "--no-verify-ssl", "--no-paginate", "--no-sign-request", "--no-cli-pager",
              "--with-decryption", "--no-with-decryption", "--dry-run", "--no-dry-run", "--recursive",
              "--decrypt", "--cli-auto-prompt", "--no-cli-auto-prompt"}


def secret_cli(name: str, words: list[str | None]) -> tuple[int, str] | None:
    """(level, reason) when this command prints a secret from a secret store; words are literals or None."""
    lower = [w.lower() if w else "" for w in words]
    pos = _positionals(words)
    p = [w.lower() for w in pos]
    joined = " ".join(p)
    DENY, ASK = 2, 1

    def has(*flags: str) -> bool:
        return any(w == f or w.startswith(f + "=") for w in lower for f in flags)

    if name in ("vault", "bao", "openbao"):
        if not p:
            return None
        sub2 = " ".join(p[:2])
        if p[0] in ("read", "write", "login", "unwrap", "print", "agent", "proxy") or sub2 in (
                "kv get", "kv patch", "token create", "token lookup", "kv undelete", "kv rollback",
                "token renew-self"):
            return DENY, f"`{name} {' '.join(pos[:2])}` reads secrets or tokens from {name}"
        return None
    if name == "aws":
        if p[:2] == ["configure", "get"] and len(p) > 2 and any(k in p[2] for k in ("secret", "token", "key")):
            return DENY, "`aws configure get` prints an AWS credential"
        if p[:2] == ["configure", "export-credentials"]:
            return DENY, "`aws configure export-credentials` prints AWS credentials"
        pairs = {("sts", "get-session-token"), ("sts", "assume-role"), ("sts", "assume-role-with-saml"),
                 ("sts", "assume-role-with-web-identity"), ("sts", "get-federation-token"),
                 ("secretsmanager", "get-secret-value"), ("secretsmanager", "batch-get-secret-value"),
                 ("ecr", "get-login-password"), ("ecr", "get-authorization-token"),
                 ("codeartifact", "get-authorization-token"), ("iam", "create-access-key"), ("kms", "decrypt"),
                 ("rds", "generate-db-auth-token"), ("eks", "get-token"), ("sso", "get-role-credentials"),
                 ("ecr-public", "get-login-password"), ("cognito-identity", "get-credentials-for-identity")}
        aws_pos = _positionals(words, _AWS_FLAGS)
        key = tuple(w.lower() for w in aws_pos[:2])
        if key in pairs:
            return DENY, f"`aws {' '.join(aws_pos[:2])}` prints secrets or credentials"
        if key and key[0] == "ssm" and len(key) > 1 and key[1].startswith("get-parameter") and has("--with-decryption"):
            return DENY, "`aws ssm get-parameter --with-decryption` prints a secret"
        return None
    if name == "gcloud":
        for phrase in ("auth print-access-token", "auth print-identity-token", "auth application-default print-access-token",
                       "secrets versions access", "iam service-accounts keys create", "config config-helper",
                       "auth print-refresh-token", "sql generate-login-token"):
            if joined.startswith(phrase) or f" {phrase}" in f" {joined}":
                return DENY, f"`gcloud {phrase}` prints a credential"
        return None
    if name == "az":
        for phrase in ("account get-access-token", "keyvault secret show", "keyvault secret download",
                       "storage account keys list", "storage account show-connection-string", "ad sp create-for-rbac",
                       "ad sp credential reset", "cosmosdb keys list", "acr credential show", "redis list-keys",
                       "servicebus namespace authorization-rule keys list", "eventhubs namespace authorization-rule keys list"):
            if joined.startswith(phrase):
                return DENY, f"`az {phrase}` prints a credential"
        if joined.startswith("acr login") and has("--expose-token"):
            return DENY, "`az acr login --expose-token` prints a token"
        return None
    if name == "security":
        if p and p[0] in ("find-generic-password", "find-internet-password", "find-key", "find-certificate") and \
                any(w in ("-w", "-g") or (w.startswith("-") and not w.startswith("--") and ("w" in w or "g" in w))
                    for w in lower):
            return DENY, f"`security {p[0]}` prints a keychain secret"
        if p and p[0] in ("dump-keychain", "export"):
            return DENY, f"`security {p[0]}` dumps keychain items"
        return None
    if name in ("gh", "glab"):
        forge = "GitHub" if name == "gh" else "GitLab"
        if p[:2] == ["auth", "token"]:
            return DENY, f"`{name} auth token` prints a {forge} token"
        if p[:2] == ["auth", "status"] and has("-t", "--show-token"):
            return DENY, f"`{name} auth status --show-token` prints a {forge} token"
        if name == "glab" and p[:2] == ["config", "get"] and len(p) > 2 and "token" in p[2]:
            return DENY, "`glab config get token` prints a GitLab token"
        return None
    if name in ("fly", "flyctl") and p[:2] == ["auth", "token"]:
        return DENY, f"`{name} auth token` prints a Fly.io token"
    if name == "cf" and p[:1] == ["oauth-token"]:
        return DENY, "`cf oauth-token` prints a Cloud Foundry token"
    if name == "ibmcloud" and p[:2] == ["iam", "oauth-tokens"]:
        return DENY, "`ibmcloud iam oauth-tokens` prints IBM Cloud tokens"
    if name == "aws-vault" and p[:1] == ["export"]:
        return DENY, "`aws-vault export` prints AWS credentials"
    if name.startswith("docker-credential-") and p[:1] == ["get"]:
        return DENY, f"`{name} get` prints a registry credential"
    if name == "dotenv" and p[:1] in (["list"], ["get"]):
        return DENY, f"`dotenv {pos[0]}` prints the values of a .env file"
    if name in ("kubectl", "oc", "k3s", "microk8s.kubectl"):
        if p[:1] == ["get"] and len(p) > 1 and any(x.startswith("secret") for x in p[1].split(",")) or \
                p[:1] == ["get"] and any(x.startswith("secret/") or x.startswith("secrets/") for x in p[1:]):
            out = [words[i + 1] for i, w in enumerate(lower) if w in ("-o", "--output") and i + 1 < len(words)]
            out += [w.split("=", 1)[1] for w in lower if w.startswith(("-o=", "--output="))]
            out += [w[2:] for w in lower if w.startswith("-o") and len(w) > 2 and not w.startswith("-o=")]
            if any((o or "x").lower() not in ("name", "wide") for o in out):
                return DENY, f"`{name} get secret -o ...` prints secret values"
            return None
        if p[:2] == ["config", "view"] and has("--raw", "--flatten"):
            return DENY, f"`{name} config view --raw` prints cluster credentials"
        if p[:2] == ["create", "token"] or p[:1] == ["view-secret"]:
            return DENY, f"`{name} {' '.join(pos[:2])}` prints a token or secret"
        return None
    if name == "op":
        if p[:1] in (["read"], ["inject"]) or p[:2] in (["item", "get"], ["document", "get"]) or \
                (p[:1] == ["signin"] and has("--raw")):
            return DENY, f"`op {' '.join(pos[:2])}` prints 1Password secrets"
        return None
    if name in ("pass", "gopass"):
        safe = {"ls", "list", "find", "search", "insert", "generate", "edit", "rm", "mv", "cp", "git", "init",
                "help", "version", "--help", "--version", "sync", "setup", "config", "mounts", "recipients", "fsck"}
        if p and p[0] not in safe:
            return DENY, f"`{name} {pos[0]}` prints a password"
        return None
    if name == "lpass" and p[:1] in (["show"], ["export"]):
        return DENY, "`lpass show` prints a password"
    if name == "bw" and p[:1] in (["get"], ["export"], ["unlock"]):
        return DENY, f"`bw {pos[0]}` prints Bitwarden secrets"
    # The OS keyring holds secretguard's own Vault login and approvals: no agent reads or writes it.
    if name == "secret-tool" and p[:1] and p[0] in ("lookup", "search", "store", "clear", "lock", "unlock"):
        return DENY, f"`secret-tool {p[0]}` touches the OS keyring, where secretguard keeps its credentials"
    if name == "keyring" and any(w in ("get", "set", "del", "diagnose") for w in p):
        verb = next(w for w in p if w in ("get", "set", "del", "diagnose"))
        return DENY, f"`keyring {verb}` touches the OS keyring, where secretguard keeps its credentials"
    if name in ("dbus-send", "gdbus", "busctl", "qdbus") and any("org.freedesktop.secrets" in w for w in lower):
        return DENY, f"`{name}` talking to the Secret Service reaches the OS keyring"
    if name == "kwallet-query" and has("-r", "--read-password"):
        return DENY, "`kwallet-query -r` prints a stored secret"
    if name in ("doppler", "infisical") and p[:1] in (["secrets"], ["export"]):
        return DENY, f"`{name} {pos[0]}` prints secrets"
    if name == "sops" and not has("-e", "--encrypt", "-r", "--rotate", "--version", "-h", "--help"):
        if has("-d", "--decrypt", "--extract") or (p and p[0] not in (
                "encrypt", "updatekeys", "rotate", "publish", "keyservice", "groups", "help", "filestatus")):
            return DENY, "`sops` decrypts secrets"
    if name == "ansible-vault" and p[:1] in (["view"], ["decrypt"], ["edit"]):
        return DENY, f"`ansible-vault {pos[0]}` decrypts secrets"
    if name in ("gpg", "gpg2") and (has("-d", "--decrypt", "--export-secret-keys", "--export-secret-subkeys",
                                        "--show-session-key") or (p and not lower[0].startswith("-"))):
        return DENY, "`gpg` decrypts or exports secret material"
    if name in ("age", "rage") and has("-d", "--decrypt"):
        return DENY, "`age --decrypt` decrypts secrets"
    if name == "heroku" and p[:1] and p[0] in ("auth:token", "authorizations:create", "authorizations:info"):
        return DENY, f"`heroku {pos[0]}` prints a Heroku token"
    if name == "heroku" and p[:1] and p[0] in ("config", "config:get"):
        return DENY, f"`heroku {pos[0]}` prints config vars (secrets)"
    if name == "vercel" and p[:2] in (["env", "pull"], ["env", "ls"]):
        return DENY, f"`vercel env {pos[1]}` exposes environment secrets"
    if name == "netlify" and p[:1] and p[0] in ("env:list", "env:get"):
        return DENY, f"`netlify {pos[0]}` prints environment secrets"
    if name == "railway" and p[:1] == ["variables"]:
        return DENY, "`railway variables` prints environment secrets"
    if name == "chamber" and p[:1] and p[0] in ("read", "export", "env"):
        return DENY, f"`chamber {pos[0]}` prints secrets"
    if name == "rails" and p[:1] and p[0].startswith("credentials:show"):
        return DENY, "`rails credentials:show` prints decrypted credentials"
    if name == "terraform":
        if p[:2] == ["state", "pull"]:
            return DENY, "`terraform state pull` prints the state, secrets included"
        if p[:1] in (["output"], ["show"]):
            return ASK, f"`terraform {pos[0]}` may print sensitive values"
        return None
    if name == "pulumi" and has("--show-secrets"):
        return DENY, "`pulumi --show-secrets` prints secrets"
    if name == "npm" and p[:2] == ["config", "get"] and len(p) > 2 and "auth" in p[2]:
        return DENY, "`npm config get ...authToken` prints a registry token"
    if name == "npm" and p[:2] == ["token", "create"]:
        return DENY, "`npm token create` prints a new registry token"
    return None
