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
