//! What an initContainer waits for: the hosts its command polls before the
//! pod may start (`until nslookup db`, `nc -z db 5432`, `wait-for db:5432`,
//! `wget http://frontend:80`, `pg_isready -h db`, `/dev/tcp/db/5432`).
//! Such a wait is a hard dependency by construction: the pod does not start
//! until the host answers.

use super::env::push_capped;
use crate::import::{HostRef, hosts_in};

/// A host a command waits for, and the tool that polls it.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Wait {
    pub tool: String,
    pub host: HostRef,
}

impl Wait {
    /// `nc rabbitmq:5672` for evidence (never a URL's user or password).
    pub(super) fn shown(&self) -> String {
        match self.host.port {
            Some(port) => format!("{} {}:{port}", self.tool, self.host.host),
            None => format!("{} {}", self.tool, self.host.host),
        }
    }
}

/// Tools that resolve a name, and take it as their first argument.
const RESOLVERS: [&str; 5] = ["nslookup", "host", "dig", "getent", "ping"];
/// Tools that connect to `host port`.
const CONNECTORS: [&str; 4] = ["nc", "ncat", "netcat", "telnet"];
/// Options of the connectors that take a value (`nc -w 1 db 5432`).
const CONNECTOR_VALUES: [&str; 7] = ["-w", "-i", "-q", "-W", "-s", "-x", "-X"];
/// Wait scripts (`wait-for db:5432`, `wait-for-it -h db -p 5432`).
const WAITERS: [&str; 7] = [
    "wait-for",
    "wait-for.sh",
    "wait-for-it",
    "wait-for-it.sh",
    "wait_for_it.sh",
    "waitforit",
    "wait-for-port",
];
/// Database and broker clients that take `-h HOST` or `--host HOST`.
const CLIENTS: [&str; 12] = [
    "pg_isready",
    "psql",
    "mysqladmin",
    "mysql",
    "redis-cli",
    "mongo",
    "mongosh",
    "cqlsh",
    "kafka-topics",
    "kafka-topics.sh",
    "kcat",
    "kafkacat",
];
/// HTTP clients: their URL arguments.
const FETCHERS: [&str; 2] = ["curl", "wget"];

/// The hosts a command line or shell script waits for, in order, each once.
pub(super) fn waits(script: &str) -> Vec<Wait> {
    let mut out: Vec<Wait> = Vec::new();
    let mut push = |tool: &str, arg: &str| {
        if arg.contains('$') {
            return;
        }
        for host in hosts_in(arg) {
            if !out.iter().any(|w| w.host.host == host.host) {
                out.push(Wait { tool: tool.to_owned(), host });
            }
        }
    };
    for command in commands(script) {
        for (i, word) in command.iter().enumerate() {
            let tool = word.rsplit('/').next().unwrap_or(word);
            let args = command.get(i + 1..).unwrap_or_default();
            let positional = || args.iter().filter(|a| !a.starts_with(['-', '+']));
            if RESOLVERS.contains(&tool) {
                // The first argument that is a name (`ping -c 1 db`: not `1`).
                let name = positional()
                    .filter(|a| !matches!(a.as_str(), "hosts" | "ahosts" | "ahostsv4"))
                    .find(|a| !hosts_in(a).is_empty());
                if let Some(name) = name {
                    push(tool, name);
                }
            } else if CONNECTORS.contains(&tool) {
                let mut rest = args.iter();
                let mut host: Option<&str> = None;
                while let Some(a) = rest.next() {
                    if CONNECTOR_VALUES.contains(&a.as_str()) {
                        rest.next();
                    } else if !a.starts_with('-') {
                        match host {
                            None => host = Some(a),
                            Some(h) if a.bytes().all(|b| b.is_ascii_digit()) => {
                                push(tool, &format!("{h}:{a}"));
                                host = None;
                                break;
                            }
                            Some(_) => break,
                        }
                    }
                }
                if let Some(h) = host {
                    push(tool, h);
                }
            } else if WAITERS.contains(&tool) {
                let mut rest = args.iter();
                while let Some(a) = rest.next() {
                    if a == "--" {
                        break;
                    } else if matches!(a.as_str(), "-h" | "--host") {
                        if let Some(h) = rest.next() {
                            push(tool, h);
                        }
                    } else if let Some(h) = a.strip_prefix("--host=") {
                        push(tool, h);
                    } else if !a.starts_with('-') && a.contains(':') {
                        push(tool, a.strip_prefix("tcp://").unwrap_or(a));
                    }
                }
            } else if CLIENTS.contains(&tool) {
                let mut rest = args.iter();
                while let Some(a) = rest.next() {
                    if matches!(a.as_str(), "-h" | "--host" | "-b" | "--bootstrap-server" | "--brokers") {
                        if let Some(h) = rest.next() {
                            push(tool, h);
                        }
                    } else if let Some(h) =
                        a.strip_prefix("--host=").or_else(|| a.strip_prefix("--bootstrap-server="))
                    {
                        push(tool, h);
                    } else if let Some(h) = a.strip_prefix("-h").filter(|h| !h.is_empty()) {
                        push(tool, h);
                    }
                }
            } else if FETCHERS.contains(&tool) {
                for a in positional().filter(|a| a.contains("://") || a.contains(':')) {
                    push(tool, a);
                }
            }
            if let Some(at) = word.find("/dev/tcp/") {
                let mut parts = word[at + 9..].split('/');
                if let (Some(h), Some(p)) = (parts.next(), parts.next()) {
                    push("/dev/tcp", &format!("{h}:{p}"));
                }
            } else if word.contains("://") {
                push(command.first().map_or("", String::as_str), word);
            }
        }
    }
    out
}

/// The simple commands of a script: words between `;`, `|`, `&`, `(`,
/// `)`, backquotes and line ends, with quotes removed. Enough to find the
/// tools above and their arguments, not a shell.
fn commands(script: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut command: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in script.chars() {
        match c {
            '\'' | '"' => {}
            ';' | '|' | '&' | '(' | ')' | '`' | '\n' | '<' | '>' => {
                if !word.is_empty() {
                    command.push(std::mem::take(&mut word));
                }
                if !command.is_empty() {
                    out.push(std::mem::take(&mut command));
                }
            }
            c if c.is_whitespace() => {
                if !word.is_empty() {
                    command.push(std::mem::take(&mut word));
                }
            }
            c => word.push(c),
        }
    }
    if !word.is_empty() {
        command.push(word);
    }
    if !command.is_empty() {
        out.push(command);
    }
    out
}

/// A shell's `$VAR`, `${VAR}` and `${VAR:-default}` (and `${VAR-default}`)
/// over the container's environment: scripts wait for `${DB_HOST}`, not
/// for a literal. Unknown variables read as empty, as in the shell; the
/// flag says whether a secret value went in.
pub(super) fn shell_expand<'v>(
    script: &str,
    lookup: impl Fn(&str) -> Option<(&'v str, bool)>,
    room: usize,
) -> (String, bool) {
    let cap = room.max(script.len());
    let mut out = String::with_capacity(script.len());
    let mut secret = false;
    let mut chars = script.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if out.len() >= cap {
            break;
        }
        if c != '$' {
            out.push(c);
            continue;
        }
        let rest = &script[at + 1..];
        let (name, default, used) = if let Some(inner) = rest.strip_prefix('{') {
            let Some(close) = inner.find('}') else {
                out.push(c);
                continue;
            };
            let body = &inner[..close];
            let (name, default) = match body.find([':', '-']) {
                Some(i) => (&body[..i], Some(body[i..].trim_start_matches(':').trim_start_matches('-'))),
                None => (body, None),
            };
            (name, default, close + 2)
        } else {
            let len = rest.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
            // `$1`, `$?`, `$ `: positional and special parameters, kept.
            if len == 0 || rest.starts_with(|c: char| c.is_ascii_digit()) {
                out.push(c);
                continue;
            }
            (&rest[..len], None, len)
        };
        match lookup(name) {
            Some((value, is_secret)) => {
                secret |= is_secret;
                push_capped(&mut out, value, cap);
            }
            None => push_capped(&mut out, default.unwrap_or(""), cap),
        }
        for _ in 0..rest[..used].chars().count() {
            chars.next();
        }
    }
    (out, secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(script: &str) -> Vec<String> {
        waits(script).into_iter().map(|w| w.shown()).collect()
    }

    #[test]
    fn wait_loops_name_their_hosts() {
        assert_eq!(hosts("until nslookup mydb; do echo waiting; sleep 2; done"), ["nslookup mydb"]);
        assert_eq!(
            hosts("until nslookup mydb.shop.svc.cluster.local; do sleep 2; done"),
            ["nslookup mydb.shop.svc.cluster.local"]
        );
        assert_eq!(hosts("getent hosts myservice"), ["getent myservice"]);
        assert_eq!(
            hosts("sh -c until nc -zv rabbitmq 5672; do echo waiting for rabbitmq; sleep 2; done;"),
            ["nc rabbitmq:5672"]
        );
        assert_eq!(hosts("nc -w 1 -z db 5432"), ["nc db:5432"]);
        assert_eq!(hosts("/wait-for db:5432 -t 60 -- echo ok"), ["wait-for db:5432"]);
        assert_eq!(hosts("wait-for-it.sh --host=cache --port=6379"), ["wait-for-it.sh cache"]);
        assert_eq!(hosts("wait-for-it -h api -p 80"), ["wait-for-it api"]);
        assert_eq!(
            hosts("until pg_isready -h ledger-db -p 5432; do sleep 1; done"),
            ["pg_isready ledger-db"]
        );
        assert_eq!(hosts("redis-cli -h redis ping"), ["redis-cli redis"]);
        assert_eq!(
            hosts("until curl -sf http://user:pw@api:8080/health; do sleep 1; done"),
            ["curl api:8080"]
        );
        assert_eq!(hosts("wget --server-response http://frontend:80 2>&1"), ["wget frontend:80"]);
        assert_eq!(hosts("until echo > /dev/tcp/kafka/9092; do sleep 1; done"), ["/dev/tcp kafka:9092"]);
        assert_eq!(hosts("dockerize -wait tcp://mysql:3306 -timeout 60s"), ["dockerize mysql:3306"]);
    }

    #[test]
    fn commands_that_wait_for_nothing_name_nothing() {
        assert!(hosts("echo hello; sleep 10").is_empty());
        assert!(hosts("cp /config/app.yaml /work/app.yaml && chmod 600 /work/app.yaml").is_empty());
        assert!(hosts("for i in $(seq 1 12); do sleep 10; done").is_empty());
        assert!(hosts("nc -z $HOST 5432").is_empty());
    }

    #[test]
    fn shell_variables_expand_over_the_environment() {
        let lookup = |name: &str| match name {
            "FRONTEND_ADDR" => Some(("frontend:80", false)),
            "DB_PASS" => Some(("pw", true)),
            _ => None,
        };
        assert_eq!(
            shell_expand("wget http://${FRONTEND_ADDR}/x", lookup, 1024).0,
            "wget http://frontend:80/x"
        );
        assert_eq!(shell_expand("nc -z $FRONTEND_ADDR", lookup, 1024).0, "nc -z frontend:80");
        assert_eq!(shell_expand("nc ${DB_HOST:-db} 5432", lookup, 1024).0, "nc db 5432");
        assert_eq!(shell_expand("a $1 $ ${X", lookup, 1024).0, "a $1 $ ${X");
        assert!(shell_expand("psql postgres://u:$DB_PASS@db", lookup, 1024).1);
    }
}
