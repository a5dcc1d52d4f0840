import Testing
import KoerierCore

@Suite("InvoiceTable")
struct InvoiceTableTests {
    static func date(_ iso: String) -> CalendarDate {
        CalendarDate(iso: iso) ?? CalendarDate(year: 1, month: 1, day: 1)
    }

    static func row(_ number: String, _ date: String, _ due: String, _ amount: Int64, open: Int64? = nil) -> InvoiceRow {
        InvoiceRow(number: number, date: Self.date(date), dueDate: Self.date(due),
                   amount: Money(cents: amount), open: Money(cents: open ?? amount))
    }

    static let sample = [
        row("2026-001", "2026-10-01", "2026-10-31", 1_234_56),
        row("2026-017", "2026-11-02", "2026-12-02", 99_00, open: 50_00),
    ]

    /// Splits a table line into its four cells at the given boundaries; the last cell runs to the end of the line.
    static func cells(_ line: Substring, bounds: [Int]) -> [String] {
        let characters = Array(line)
        var out: [String] = []
        for (index, start) in bounds.enumerated() {
            let end = min(index + 1 < bounds.count ? bounds[index + 1] : characters.count, characters.count)
            out.append(start < end ? String(characters[start..<end]).trimmingSpaces() : "")
        }
        return out
    }

    /// Where the header titles start, as character offsets.
    static func columnStarts(_ header: Substring) -> [Int] {
        let text = String(header)
        return ["Factuur", "Datum", "Vervaldatum", "Openstaand"].compactMap { title in
            text.firstRange(of: title).map { text.distance(from: text.startIndex, to: $0.lowerBound) }
        }
    }

    @Test("text table, exact layout")
    func textExact() {
        let expected = """
            Factuur   Datum       Vervaldatum  Openstaand
            ---------------------------------------------
            2026-001  01-10-2026  31-10-2026   € 1.234,56
            2026-017  02-11-2026  02-12-2026      € 50,00
            Totaal openstaand                  € 1.284,56

            """
        #expect(InvoiceTable.text(Self.sample, currency: "EUR") == expected)
    }

    @Test("text table columns line up", arguments: [
        [
            row("1", "2026-01-05", "2026-02-04", 5),
            row("2026-000123", "2026-10-01", "2026-10-31", 1_234_567_89),
            row("CN-7", "2026-11-01", "2026-11-01", -12_50),
            row("INV/2026/0042-B", "2026-09-30", "2026-10-30", 100_000_00, open: 99_999_99),
        ],
        [row("A", "2026-01-01", "2026-01-31", 1)],
        [],
    ])
    func textColumns(rows: [InvoiceRow]) throws {
        let text = InvoiceTable.text(rows, currency: "EUR")
        #expect(text.hasSuffix("\n"))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == rows.count + 3)
        let header = try #require(lines.first)
        let starts = Self.columnStarts(header)
        try #require(starts.count == 4)
        #expect(starts == starts.sorted())
        let width = header.count
        #expect(header.hasSuffix("Openstaand"), "amount header is right-aligned")
        // Left-aligned columns start at their titles; the amount cell is whatever follows "Vervaldatum"'s column.
        let bounds = [starts[0], starts[1], starts[2], starts[2] + "Vervaldatum".count]
        #expect(lines.dropFirst().first == Substring(String(repeating: "-", count: width)))

        for (row, line) in zip(rows, lines.dropFirst(2)) {
            #expect(line.count == width, "amounts must share the right edge: \(line)")
            let cells = Self.cells(line, bounds: bounds)
            #expect(cells == [row.number, DutchFormat.shortDate(row.date), DutchFormat.shortDate(row.dueDate),
                              DutchFormat.amount(row.open)])
            // Separated by at least one blank before each column.
            for start in starts.dropFirst().dropLast() { #expect(Array(line)[start - 1] == " ") }
            #expect(Array(line)[bounds[3]] == " ")
        }
        let totalLine = try #require(lines.last)
        #expect(totalLine.hasPrefix("Totaal openstaand"))
        #expect(totalLine.count == width)
        let total = rows.reduce(Money.zero) { $0 + $1.open }
        #expect(totalLine.hasSuffix(" " + DutchFormat.amount(total)))
        for line in lines {
            #expect(line.count <= 78)
            #expect(line.last != " ", "no trailing spaces (format=flowed)")
        }
    }

    @Test("text total sums the open amounts, credit notes included", arguments: [
        ([Int64(10_00), 20_00, 30_00], "€ 60,00"),
        ([1_234_56, -234_56], "€ 1.000,00"),
        ([-50_00], "-€ 50,00"),
        ([], "€ 0,00"),
        ([99_999_999_99, 1], "€ 100.000.000,00"),
    ])
    func totals(opens: [Int64], expected: String) throws {
        let rows = opens.enumerated().map { Self.row("F\($0.offset)", "2026-01-01", "2026-01-31", 999_99, open: $0.element) }
        let text = InvoiceTable.text(rows, currency: "EUR")
        let last = try #require(text.split(separator: "\n").last)
        #expect(last.hasPrefix("Totaal openstaand"))
        #expect(last.hasSuffix(" " + expected))
        #expect(InvoiceTable.html(rows, currency: "EUR").contains(">\(expected)</td>"))
    }

    @Test("text table uses the currency label")
    func textCurrency() {
        let text = InvoiceTable.text(Self.sample, currency: "USD")
        #expect(text.contains("USD 1.234,56\n"))
        #expect(text.contains("Totaal openstaand") && text.hasSuffix("USD 1.284,56\n"))
        #expect(!text.contains("€"))
    }

    @Test("long invoice numbers are cut with … only when the line would exceed 78", arguments: [
        (String(repeating: "9", count: 30), false),
        (String(repeating: "X", count: 39), false),  // 39 + 2+10+2+11+2+10 = 76
        (String(repeating: "X", count: 41), false),  // exactly 78
        (String(repeating: "X", count: 42), true),
        (String(repeating: "Y", count: 200), true),
    ])
    func truncation(number: String, truncated: Bool) throws {
        let rows = [Self.row(number, "2026-01-01", "2026-01-31", 10_00)]
        let text = InvoiceTable.text(rows, currency: "EUR")
        let lines = text.split(separator: "\n")
        for line in lines { #expect(line.count <= 78) }
        let rowLine = try #require(lines.dropFirst(2).first)
        if truncated {
            #expect(rowLine.count == 78)
            #expect(rowLine.contains("…"))
            #expect(rowLine.hasPrefix(number.prefix(40) + "…"))
        } else {
            #expect(rowLine.hasPrefix(number + "  "))
            #expect(!rowLine.contains("…"))
        }
    }

    @Test("line breaks in an invoice number cannot break the table")
    func controlCharacters() {
        let rows = [Self.row("A\nB\tC\r\nD", "2026-01-01", "2026-01-31", 10_00)]
        let lines = InvoiceTable.text(rows, currency: "EUR").split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 5)  // header, rule, row, total, "" after the final newline
        #expect(lines[2].hasPrefix("A B C D  "))
    }

    @Test("HTML escapes every value", arguments: [
        ("<script>alert('x')</script>", "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"),
        ("A&B \"quoted\"", "A&amp;B &quot;quoted&quot;"),
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("2026-001", "2026-001"),
    ])
    func htmlEscaping(number: String, escaped: String) {
        let html = InvoiceTable.html([Self.row(number, "2026-01-01", "2026-01-31", 10_00)], currency: "EUR")
        #expect(html.contains(">\(escaped)</td>"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("<img"))
    }

    @Test("HTML escapes the currency label too")
    func htmlCurrencyEscaped() {
        let html = InvoiceTable.html(Self.sample, currency: "<b>")
        #expect(html.contains("&lt;b&gt; 1.234,56"))
        #expect(!html.contains("<b>"))
    }

    @Test("HTML is a styled data table")
    func htmlStructure() {
        let html = InvoiceTable.html(Self.sample, currency: "EUR")
        #expect(html.hasPrefix("<table "))
        #expect(html.hasSuffix("</table>\n"))
        #expect(html.contains("width:100%"))
        #expect(html.contains("border-collapse:collapse"))
        #expect(!html.contains("role="))
        #expect(!html.contains("<style"))
        // Only the layout's phone classes: the date column hides below 480 px, a second total label takes its place.
        #expect(Set(html.matches(of: /class="([^"]*)"/).flatMap { $0.output.1.split(separator: " ").map(String.init) }) == ["k-cell", "k-hide-s", "k-show-s"])
        #expect(html.count(of: "k-hide-s") == Self.sample.count + 2)  // header, each row, the total
        #expect(html.count(of: "<th ") == 4)
        #expect(html.contains("background-color:#f2f2f2"))
        for title in ["Factuur", "Datum", "Vervaldatum", "Openstaand"] { #expect(html.contains(">\(title)</th>")) }
        // Amount cells are right-aligned.
        for amount in ["€ 1.234,56", "€ 50,00", "€ 1.284,56"] {
            let cell = html.split(separator: "\n").first { $0.contains(">\(amount)</td>") } ?? ""
            #expect(cell.contains("text-align:right;white-space:nowrap;\">\(amount)</td>"))
        }
        // The total row is bold.
        let total = String(html.split(separator: "\n").first { $0.contains("Totaal openstaand") } ?? "")
        #expect(total.count(of: "font-weight:bold") == 3)
        #expect(total.contains("colspan=\"3\" class=\"k-cell k-hide-s\""))
        #expect(total.contains("colspan=\"2\" class=\"k-cell k-show-s\" style=\"display:none;"))
        #expect(html.contains(">01-10-2026</td>") && html.contains(">31-10-2026</td>"))
        // Tags balance.
        for tag in ["table", "thead", "tbody", "tfoot", "tr", "th", "td"] {
            let opening = html.count(of: "<\(tag)>") + html.count(of: "<\(tag) ")
            #expect(opening > 0 && opening == html.count(of: "</\(tag)>"), "\(tag)")
        }
    }
}

private extension String {
    func count(of needle: String) -> Int { ranges(of: needle).count }

    func trimmingSpaces() -> String {
        var text = Substring(self)
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
}
