def output = { String setup ->
  def file = new File(basedir, "${setup}/output.log")
  assert file.exists() : "no output for ${setup}"
  file.text
}
def warn = /A batch of 1 message failed after 1 attempt: network error: java\.net\.ConnectException: .*; gave up after 0 retries/

// Without SLF4J: delivered, and our WARN on the console through System.Logger (java.util.logging's format).
['bundle': 'dev.analytics4j', 'plain': 'dev.analytics4j.okhttp'].each { setup, transport ->
  def text = output(setup)
  assert text.contains("module-path-app ${setup}: delivered from module dev.analytics4j with the transport of ${transport}") : text
  assert (text =~ /(?m)dev\.analytics4j\.internal\.Reporter \w+\r?\nWARNING: ${warn}$/).find() : "${setup}: our WARN is missing:\n${text}"
}

// With SLF4J in the module graph: our lines go to it (slf4j-simple's format).
def slf4j = output('bundle-slf4j')
assert slf4j.contains('module-path-app bundle-slf4j: delivered from module dev.analytics4j with the transport of dev.analytics4j') : slf4j
assert (slf4j =~ /(?m)^\[[^\]]+\] WARN dev\.analytics4j\.internal\.Reporter - ${warn}$/).find() : "our WARN is missing:\n${slf4j}"
return true
