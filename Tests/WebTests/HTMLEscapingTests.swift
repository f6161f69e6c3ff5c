import Testing
import Web

@Suite("HTML escaping")
struct HTMLEscapingTests {
    @Test("escapes the five characters that matter in text and quoted attributes", arguments: [
        ("<script>\"'&", "&lt;script&gt;&quot;&#39;&amp;"),
        ("<img src=x onerror='alert(1)'>", "&lt;img src=x onerror=&#39;alert(1)&#39;&gt;"),
        ("\" onmouseover=\"x", "&quot; onmouseover=&quot;x"),
        ("&amp;", "&amp;amp;"),
        ("plain text, café ✓", "plain text, café ✓"),
        ("", ""),
    ])
    func escapes(input: String, expected: String) {
        #expect(input.htmlEscaped == expected)
    }
}
