// Each setup's console (stdout and stderr of the app) is in <setup>/output.log.
def output = { String setup ->
  def file = new File(basedir, "${setup}/output.log")
  assert file.exists() : "no output for ${setup}"
  file.text
}
def ours = /A batch of 1 message failed after 1 attempt: network error: java\.net\.ConnectException: .*; gave up after 0 retries/
def start = /analytics4j [^ ]+: sending to http:\/\/127\.0\.0\.1:\d+ \(endpoint set, not the region US\); spool off/

// Through SLF4J: the app's line, our INFO and our WARN, in the backend's own format, and the
// slf4j-api the logging library wants (a bound Logback 1.2 needs 1.7; 1.5 and Log4j need 2.x).
def slf4jSetups = [
    'logback12-first': /slf4j-api-1\.7\.\d+\.jar/,
    'logback12-last': /slf4j-api-1\.7\.\d+\.jar/,
    'plain-logback12-last': /slf4j-api-1\.7\.\d+\.jar/,
    'logback15-first': /slf4j-api-2\.\d+\.\d+\.jar/,
    'logback15-last': /slf4j-api-2\.\d+\.\d+\.jar/,
    'log4j2': /slf4j-api-2\.\d+\.\d+\.jar/,
]
slf4jSetups.each { setup, api ->
  def text = output(setup)
  def prefix = setup == 'log4j2' ? /log4j2 / : /\d\d:\d\d:\d\d\.\d{3} \[[^\]]+\] /
  def sep = setup == 'log4j2' ? / - / : / --? /
  assert (text =~ /(?m)^${prefix}INFO\s+dev\.analytics4j\.it\.log\.LoggingApp${sep}logging-matrix ${setup}: the app's own line$/).find() : "${setup}: the app's own line is missing:\n${text}"
  assert (text =~ /(?m)^slf4j-api: ${api}$/).find() : "${setup}: wrong slf4j-api:\n${text}"
  assert (text =~ /(?m)^${prefix}INFO\s+dev\.analytics4j\.Analytics${sep}${start}$/).find() : "${setup}: our INFO at build() is missing:\n${text}"
  assert (text =~ /(?m)^${prefix}WARN\s+dev\.analytics4j\.internal\.Reporter${sep}${ours}$/).find() : "${setup}: our WARN is missing:\n${text}"
  assert !(text =~ /SLF4J(\([A-Z]\))?:/).find() : "${setup}: SLF4J complained:\n${text}"
  assert text.contains("logging-matrix ${setup}: done")
}

// No logging library: both through the JDK's System.Logger (java.util.logging's console format,
// which names the class and method that logged).
def none = output('no-logging')
assert (none =~ /(?m)^slf4j-api: none$/).find() : none
assert (none =~ /(?m)dev\.analytics4j\.it\.log\.LoggingApp main\r?\nINFO: logging-matrix no-logging: the app's own line$/).find() : "the app's own line is missing:\n${none}"
assert (none =~ /(?m)dev\.analytics4j\.Analytics\x24Builder logStart\r?\nINFO: ${start}$/).find() : "our INFO at build() is missing:\n${none}"
assert (none =~ /(?m)dev\.analytics4j\.internal\.Reporter \w+\r?\nWARNING: ${ours}$/).find() : "our WARN is missing:\n${none}"
assert none.contains('logging-matrix no-logging: done')

// slf4j-api with no provider: SLF4J warns and discards the app's line; ours go to System.Logger.
def unbound = output('slf4j-without-provider')
assert unbound.contains('SLF4J(W): No SLF4J providers were found.') : unbound
assert (unbound =~ /(?m)^slf4j-api: slf4j-api-2\.0\.\d+\.jar$/).find() : unbound
assert (unbound =~ /(?m)dev\.analytics4j\.internal\.Reporter \w+\r?\nWARNING: ${ours}$/).find() : "our WARN is missing:\n${unbound}"
return true
