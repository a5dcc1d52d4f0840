import Foundation
import Testing
@testable import KoerierCore

/// Opens rendered HTML letters in headless Chromium (Debian `chromium`, installed by scripts/test) and checks
/// what the browser shows: the amounts and the invoice table, with every invoice in its own row.
@Suite("HTML in a real browser")
struct HTMLPreviewTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// The DOM after Chromium loaded and laid out the page.
    static func dumpDOM(_ html: String) throws -> String {
        let folder = try TestSupport.makeTemporaryFolder("html")
        defer { TestSupport.remove(folder) }
        let file = folder + "/letter.html"
        try Data(html.utf8).write(to: URL(fileURLWithPath: file))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(chromium, "chromium is not installed (scripts/test installs it)"))
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(folder)/profile",
                             "--virtual-time-budget=2000", "--dump-dom", "file://\(file)"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    @Test("a business letter with three invoices shows every row, the total and the amount to pay")
    func invoiceTable() throws {
        let configuration = try TestSupport.demoConfiguration()
        let renderer = Renderer(store: try TestSupport.shippedStore(), configuration: configuration)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: GoldenTests.folder + "/zakelijk-aanmaning-drie-facturen.json")))
        let email = try renderer.renderEmail(try ActionDecoder.decode(bytes), now: GoldenTests.moment)
        let dom = try Self.dumpDOM(email.html)
        #expect(dom.contains("<table"))
        for (number, amount) in [("F2026-0701", "€ 4.500,00"), ("F2026-0744", "€ 750,50"), ("F2026-0790", "€ 89,95")] {
            let row = dom.components(separatedBy: "<tr").last { $0.contains(number) } ?? ""
            #expect(row.contains(amount), "row of \(number) should show \(amount)")
        }
        #expect(dom.contains("Totaal openstaand"))
        #expect(dom.components(separatedBy: "€ 5.340,45").count >= 3, "total in the table and in the text")
        #expect(dom.contains("Geachte heer Jansen,"))
        #expect(dom.contains("KvK-nummer: 12345678"))
    }

    @Test("a consumer 14-day letter shows the principal, the exact collection costs and the statutory term")
    func wikLetter() throws {
        let configuration = try TestSupport.demoConfiguration()
        let renderer = Renderer(store: try TestSupport.shippedStore(), configuration: configuration)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: GoldenTests.folder + "/consument-veertiendagenbrief.json")))
        let email = try renderer.renderEmail(try ActionDecoder.decode(bytes), now: GoldenTests.moment)
        let dom = try Self.dumpDOM(email.html)
        #expect(dom.contains("€ 2.500,00"))
        #expect(dom.contains("€ 375,00"))
        #expect(dom.contains("€ 2.875,00"))
        #expect(dom.contains("binnen veertien dagen vanaf de dag nadat deze brief bij u is bezorgd"))
    }
}

/// Phone widths: every stage's HTML letter, with one and with five invoices, laid out by Chromium in a 390 px wide
/// frame (headless windows are at least 500 px wide, so the letter is loaded into an iframe of that width).
@Suite("HTML on a phone")
struct PhoneWidthTests {
    /// The letters to measure: every email stage, with one and with five invoices (long numbers, large amounts).
    static func letters() throws -> [(label: String, html: String)] {
        let configuration = try TestSupport.demoConfiguration()
        let renderer = Renderer(store: try TestSupport.shippedStore(), configuration: configuration)
        let now = GoldenTests.moment
        let today = renderer.localDay(now)
        var letters: [(String, String)] = []
        for stage in TemplateLinter.expectedTones.keys.sorted() {
            for count in [1, 5] {
                let type: Action.Debtor.Kind = stage == WIKRule.stage ? .consumer : .business
                var action = LintSamples.action(channel: .email, stage: stage, segment: type == .consumer ? "consument" : "zakelijk",
                                                tone: configuration.letters.fallbackTone(stage: stage), debtorType: type, variant: nil, today: today)
                let template = action.invoices[0]
                action.invoices = (0..<count).map { index in
                    var invoice = template
                    invoice.number = "F2026-00123\(40 + index)"
                    invoice.amount = Money(cents: 9_999_999 + Int64(index))
                    invoice.open = stage == "bedankt" ? .zero : invoice.amount
                    return invoice
                }
                if stage == "betalingsregeling" {
                    let total = action.totalOpen.cents
                    action.data["aantal_termijnen"] = .number("2")
                    action.data["termijnbedrag"] = .string(Money(cents: (total + 1) / 2).description)
                    action.data["laatste_termijnbedrag"] = .string(Money(cents: total - (total + 1) / 2).description)
                }
                letters.append(("\(stage) with \(count) invoice(s)", try renderer.renderEmail(action, now: now).html))
            }
        }
        return letters
    }

    /// The scroll width of each letter laid out `width` px wide, in one Chromium run.
    static func widths(_ letters: [(label: String, html: String)], width: Int) throws -> [Int] {
        var host = "<!DOCTYPE html><html><head><title>-</title></head><body style=\"margin:0\">\n"
        for (index, letter) in letters.enumerated() {
            host += "<iframe id=\"f\(index)\" style=\"width:\(width)px;height:6000px;border:0;display:block\" srcdoc=\"\(InvoiceTable.escape(letter.html))\"></iframe>\n"
        }
        host += """
            <script>
            window.onload = function () {
              var widths = [];
              for (var i = 0; i < \(letters.count); i++) {
                widths.push(document.getElementById("f" + i).contentDocument.documentElement.scrollWidth);
              }
              document.title = "widths:" + widths.join(",");
            };
            </script></body></html>
            """
        let dom = try HTMLPreviewTests.dumpDOM(host)
        let title = dom.components(separatedBy: "<title>widths:").dropFirst().first?.components(separatedBy: "</title>").first ?? ""
        return title.split(separator: ",").compactMap { Int($0) }
    }

    @Test("no HTML letter scrolls sideways at 390 px, with one or five invoices, in any stage")
    func phone() throws {
        let letters = try Self.letters()
        let widths = try Self.widths(letters, width: 390)
        try #require(widths.count == letters.count, "Chromium measured \(widths.count) of \(letters.count) letters")
        for (letter, width) in zip(letters, widths) {
            #expect(width <= 390, "\(letter.label) is \(width) px wide at 390 px")
        }
    }

    @Test("at 800 px the letter keeps its desktop layout: 600 px wide, the date column shown")
    func desktop() throws {
        let letters = try Self.letters().filter { $0.label.hasPrefix("aanmaning") }
        let widths = try Self.widths(letters, width: 800)
        #expect(widths == letters.map { _ in 800 })
        let dom = try HTMLPreviewTests.dumpDOM(letters[0].html)
        #expect(dom.contains("max-width:600px"))
        #expect(dom.contains(">Datum</th>"))
    }
}
