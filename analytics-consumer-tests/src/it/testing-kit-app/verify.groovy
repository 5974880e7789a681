// One build.log holds both invocations; each runs the kit's test once and passes.
def log = new File(basedir, 'build.log').text
def runs = (log =~ /Tests run: 4, Failures: 0, Errors: 0, Skipped: 0/).size()
assert runs >= 2 : 'expected the kit test class to run and pass in both invocations, found ' + runs
assert log.contains('okhttp-3.14.9.jar') && log.contains('okhttp-4.10.0.jar') : 'both OkHttp versions were not tested'
return true
