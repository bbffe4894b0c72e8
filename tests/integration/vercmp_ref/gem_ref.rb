# Reference for vercmp_reference.sh: RubyGems' own Gem::Version.
# Reads "A<TAB>B" lines and prints <, = or > (E when either is not a Gem version);
# with --valid reads one version per line and prints valid or invalid.
valid_mode = ARGV[0] == "--valid"
out = []
$stdin.each_line do |line|
  line = line.chomp
  if valid_mode
    out << (Gem::Version.correct?(line) ? "valid" : "invalid")
    next
  end
  a, b = line.split("\t", 2)
  if Gem::Version.correct?(a) && Gem::Version.correct?(b)
    r = Gem::Version.new(a) <=> Gem::Version.new(b)
    out << (r < 0 ? "<" : r > 0 ? ">" : "=")
  else
    out << "E"
  end
end
puts out
