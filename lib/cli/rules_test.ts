import { parseCommandLine } from "./parse.ts";
import { SocktoolError } from "../errors.ts";

/** One command line per rule: it must break that rule and no earlier one. */
const CASES: [string[], RegExp][] = [
  [["-4", "-6", "h", "80"], /options -4 and -6 cannot be used together/],
  [["-k", "h", "80"], /option -k needs -l/],
  [["-m", "3", "h", "80"], /option -m needs -l/],
  [["--broker", "h", "1"], /option --broker needs -l/],
  [["--chat", "h", "1"], /option --chat needs -l/],
  [["--forward", "a:1", "h", "1"], /option --forward needs -l/],
  [["--serve", "echo", "h", "1"], /option --serve needs -l/],
  [["--allow", "127.0.0.1", "h", "1"], /option --allow needs -l/],
  [["--deny", "127.0.0.1", "h", "1"], /option --deny needs -l/],
  [["--allowfile", "f", "h", "1"], /option --allowfile needs -l/],
  [["--denyfile", "f", "h", "1"], /option --denyfile needs -l/],
  [["--json", "h", "1"], /option --json needs -z/],
  [["-l", "--proxy", "p:1", "1"], /options -l and --proxy/],
  [["-z", "--ssl", "h", "1"], /options -z and --ssl/],
  [["-z", "-e", "cat", "h", "1"], /options -z and -e/],
  [["-z", "-c", "cat", "h", "1"], /options -z and -c/],
  [["-z", "--proxy", "p:1", "h", "1"], /options -z and --proxy/],
  [["-4", "::1", "80"], /option -4 cannot be used with the IPv6 address ::1/],
  [["-6", "127.0.0.1", "80"], /option -6 cannot be used with the IPv4 address 127.0.0.1/],
  [["-n", "localhost", "80"], /option -n forbids name lookup, but 'localhost' is a name/],
  [["-n", "-s", "localhost", "127.0.0.1", "80"], /the -s address is a name/],
  [["--send-only", "--recv-only", "h", "1"], /--send-only and --recv-only cannot be used together/],
  [["-e", "cat", "-c", "cat", "h", "1"], /options -e and -c cannot be used together/],
  [["-U", "-p", "5", "/tmp/s"], /option -p gives a port, but -U uses a socket PATH/],
  [["-u", "--proxy", "p:1", "h", "1"], /option --proxy works over TCP only/],
  [["--proxy", "p:1", "-s", "127.0.0.1", "h", "1"], /options --proxy and -s\/-p/],
  [["-u", "--ssl", "h", "1"], /option --ssl works over TCP \(or -U\) only/],
  [
    ["--ssl", "--ssl-servername", "", "h", "1"],
    /option --ssl-servername needs a name: '' is empty/,
  ],
  [["-l", "1", "--ssl", "--ssl-insecure"], /are for connecting, not -l/],
  [["-lu", "1", "-e", "cat"], /options -e and -c need a stream socket/],
  [["-luUk", "/tmp/s"], /option -k cannot be used with -uU/],
  [["-l", "1", "--broker", "--forward", "a:1"], /options --broker and --forward/],
  [["-l", "1", "--serve", "nope"], /unknown --serve name 'nope'/],
  [["-l", "1", "--serve", "echo", "-e", "cat"], /choose one of --serve, --forward/],
  [["-lu", "1", "--broker"], /--broker and --chat need a stream socket/],
  [["-lu", "1", "--forward", "a:1"], /option --forward needs a stream listener/],
];

for (const [args, re] of CASES) {
  Deno.test(`rule: socktool ${args.join(" ")} is refused with ${re.source}`, () => {
    let err: unknown;
    try {
      parseCommandLine(args);
    } catch (e) {
      err = e;
    }
    if (!(err instanceof SocktoolError)) throw new Error(`not refused: ${err}`);
    if (err.exitCode !== 2) throw new Error(`exit code ${err.exitCode}`);
    if (!re.test(err.message)) throw new Error(`message '${err.message}' does not match ${re}`);
  });
}
