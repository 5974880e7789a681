import java.util.jar.JarFile

def version = analytics4jVersion
def dir = new File(localRepositoryPath, "dev/analytics4j/analytics4j-bundle/${version}")
def pom = new groovy.xml.XmlSlurper().parse(new File(dir, "analytics4j-bundle-${version}.pom"))
def jarFile = new File(dir, "analytics4j-bundle-${version}.jar")

// The reduced POM: nothing a user's build resolves besides the jar; slf4j-api is optional (used
// when the application has it), so it never changes the application's choice.
def deps = pom.dependencies.dependency.collect { "${it.groupId}:${it.artifactId}:${it.scope}:${it.optional}".toString() }
assert deps == ['org.slf4j:slf4j-api:compile:true'] : "the bundle's POM must have slf4j-api, optional, alone: ${deps}"

def jar = new JarFile(jarFile)
def names = jar.entries().collect { it.name }
def outside = names.findAll { !it.startsWith('META-INF/') && !it.startsWith('dev/analytics4j/') && it != 'dev/' && it != 'module-info.class' }
assert outside.isEmpty() : "entries outside dev/analytics4j and META-INF: ${outside.take(20)}"

// Embedded code only under dev/analytics4j/shaded; nothing of the original packages or their metadata.
def ours = ['dev/analytics4j/', 'dev/analytics4j/internal/', 'dev/analytics4j/internal/spool/', 'dev/analytics4j/messages/', 'dev/analytics4j/okhttp/', 'dev/analytics4j/shaded/']
def packages = names.findAll { it.endsWith('.class') && it != 'module-info.class' }.collect { it.substring(0, it.lastIndexOf('/') + 1) }.unique()
def stray = packages.findAll { p -> !p.startsWith('dev/analytics4j/shaded/') && !(p in ours) }
assert stray.isEmpty() : "classes in packages that are neither ours nor shaded: ${stray}"
def junk = names.findAll { it.endsWith('.kotlin_module') || it.endsWith('.kotlin_builtins') || (it.endsWith('module-info.class') && it != 'module-info.class') || it.startsWith('META-INF/versions/') || it.startsWith('META-INF/maven/') }
assert junk.isEmpty() : "metadata of the embedded jars left in: ${junk}"

// ServiceLoader finds the transport on the class path; on the module path the descriptor, which
// has core's name (the bundle replaces core), exports the API and provides the transport.
def service = jar.getInputStream(jar.getEntry('META-INF/services/dev.analytics4j.Transport$Factory')).text.trim()
assert service == 'dev.analytics4j.okhttp.OkHttpTransportFactory' : service
// No other service file (an embedded library's would name its unrelocated classes), and every
// provider named is in the jar; no Multi-Release header, which would make JVMs look for
// META-INF/versions entries of the embedded jars.
def services = names.findAll { it.startsWith('META-INF/services/') && !it.endsWith('/') }
assert services == ['META-INF/services/dev.analytics4j.Transport$Factory'] : "service files: ${services}"
assert jar.getEntry(service.replace('.', '/') + '.class') != null : "provider not in the jar: ${service}"
assert jar.manifest.mainAttributes.getValue('Multi-Release') == null : 'the bundle must not be a multi-release jar'
def descriptor = java.lang.module.ModuleDescriptor.read(jar.getInputStream(jar.getEntry('module-info.class')))
assert descriptor.name() == 'dev.analytics4j'
assert descriptor.exports().collect { it.source() }.sort() == ['dev.analytics4j', 'dev.analytics4j.messages', 'dev.analytics4j.okhttp']
assert descriptor.exports().every { !it.isQualified() }
assert descriptor.requires().collect { "${it.name()}${it.modifiers().contains(java.lang.module.ModuleDescriptor.Requires.Modifier.STATIC) ? ' static' : ''}".toString() }.sort() == ['java.base', 'java.logging', 'org.slf4j static']
assert descriptor.provides().collect { "${it.service()} with ${it.providers()}".toString() } == ['dev.analytics4j.Transport$Factory with [dev.analytics4j.okhttp.OkHttpTransportFactory]']
assert descriptor.uses() == ['dev.analytics4j.Transport$Factory'] as Set
// Every package in the jar is in the descriptor (jar --update computed them), shaded ones unexported.
assert descriptor.packages() == packages.collect { it.substring(0, it.length() - 1).replace('/', '.') }.toSet()

// The embedded libraries' notice and licence travel with them.
def notice = jar.getInputStream(jar.getEntry('META-INF/analytics4j-bundle/THIRD-PARTY.txt')).text
assert ['OkHttp', 'Okio', 'Moshi', 'Kotlin standard library'].every { notice.contains("- ${it} ") } : notice
assert !notice.contains('${') : "unfiltered notice: ${notice}"
assert jar.getEntry('META-INF/analytics4j-bundle/LICENSE-Apache-2.0.txt') != null
def ownLicence = jar.getInputStream(jar.getEntry('META-INF/analytics4j-bundle/LICENSE.txt')).text
assert ownLicence == new File(licenceFile).text : "the bundle must carry analytics4j's own MIT licence"

def top = names.findAll { it.endsWith('/') && it.count('/') <= 4 && it.startsWith('dev/analytics4j/shaded/') || it == 'META-INF/' || it =~ /^dev\/analytics4j\/[a-z]+\/$/ }.sort()
println "analytics4j-bundle: ${jarFile.length()} bytes, ${names.count { it.endsWith('.class') }} classes, dependencies ${deps}"
println "analytics4j-bundle: top-level directories ${top}"
jar.close()
return true
