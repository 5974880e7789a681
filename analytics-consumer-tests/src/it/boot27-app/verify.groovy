// One build.log holds both invocations, in order.
def log = new File(basedir, 'build.log').text
def delivered = log.indexOf('boot27-app: delivered from Spring Boot 2.7')
assert delivered >= 0 : 'the app with the bundle did not report its events delivered'
// The plain modules: Boot's Kotlin 1.6.21 wins over OkHttp 5's 2.2.21 and the client cannot be built.
def missing = log.indexOf('NoClassDefFoundError: kotlin/enums/EnumEntriesKt', delivered)
assert missing > delivered : 'the app with analytics-okhttp did not fail on kotlin/enums/EnumEntriesKt'
assert log.indexOf('boot27-app: delivered', missing) < 0
return true
