// One build.log holds the three invocations, in order.
def log = new File(basedir, 'build.log').text
def delivered = 'convergence-app: delivered from a build with dependencyConvergence enforced'

// 1: the bundle.
assert log.indexOf(delivered) >= 0
// 2: the plain modules failed on the Kotlin stdlib and Okio that OkHttp 5 and Moshi bring at
// different versions, and on nothing else.
def second = log.indexOf('Dependency convergence error for org.jetbrains.kotlin:kotlin-stdlib')
assert second > log.indexOf(delivered)
assert log.contains('Dependency convergence error for com.squareup.okio:okio-jvm')
assert !(log =~ /Dependency convergence error for (?!org\.jetbrains\.kotlin:kotlin-stdlib|com\.squareup\.okio:okio-jvm)/).find()
// 3: aligned, they pass and deliver.
assert log.indexOf(delivered, second) > second
return true
