/// One open invoice as shown in a dunning message.
public struct InvoiceRow: Sendable, Equatable {
    /// The invoice number as the creditor knows it (free text, escaped on output).
    public var number: String
    /// The invoice date.
    public var date: CalendarDate
    /// The due date.
    public var dueDate: CalendarDate
    /// The original invoice amount.
    public var amount: Money
    /// The amount still open on this invoice.
    public var open: Money

    /// Creates a row.
    public init(number: String, date: CalendarDate, dueDate: CalendarDate, amount: Money, open: Money) {
        self.number = number
        self.date = date
        self.dueDate = dueDate
        self.amount = amount
        self.open = open
    }
}

/// Renders the list of open invoices as a plain-text table and as an HTML data table.
public enum InvoiceTable {
    static let headers = (number: "Factuur", date: "Datum", dueDate: "Vervaldatum", open: "Openstaand")
    static let totalLabel = "Totaal openstaand"
    /// Maximum line length of the plain-text table, in characters.
    static let maxLineLength = 78
    static let gap = "  "

    /// Plain-text table (Factuur, Datum, Vervaldatum, Openstaand), space-aligned, amounts right-aligned, at most 78 characters per line.
    ///
    /// Layout: header, a rule of `-` as wide as the table, one line per row, then "Totaal openstaand" with the sum of
    /// `open` right-aligned under the amount column. Every line ends with "\n" and has no trailing spaces (so the text
    /// survives `format=flowed`). Control characters in invoice numbers become spaces; an invoice number is cut with
    /// "…" only when the line would otherwise exceed 78 characters. Widths count `Character`s, so East Asian wide
    /// characters would misalign; the 78 limit holds for every amount when the currency label has at most 17 characters.
    public static func text(_ rows: [InvoiceRow], currency: String) -> String {
        let numbers = rows.map { sanitized($0.number) }
        let amounts = rows.map { DutchFormat.amount($0.open, currency: currency) }
        let total = DutchFormat.amount(total(rows), currency: currency)

        let dateWidth = max(headers.date.count, rows.map { DutchFormat.shortDate($0.date).count }.max() ?? 0)
        let dueWidth = max(headers.dueDate.count, rows.map { DutchFormat.shortDate($0.dueDate).count }.max() ?? 0)
        let amountWidth = ([headers.open, total] + amounts).map(\.count).max() ?? 0
        let fixed = gap.count + dateWidth + gap.count + dueWidth + gap.count + amountWidth
        let numberBudget = max(headers.number.count, maxLineLength - fixed)
        let numberWidth = min(numberBudget, max(headers.number.count, numbers.map(\.count).max() ?? 0))
        let width = numberWidth + fixed

        func line(_ number: String, _ date: String, _ due: String, _ amount: String) -> String {
            padRight(number, numberWidth) + gap + padRight(date, dateWidth) + gap + padRight(due, dueWidth)
                + gap + padLeft(amount, amountWidth) + "\n"
        }

        var out = line(headers.number, headers.date, headers.dueDate, headers.open)
        out += String(repeating: "-", count: width) + "\n"
        for (index, row) in rows.enumerated() {
            out += line(truncate(numbers[index], to: numberWidth),
                        DutchFormat.shortDate(row.date), DutchFormat.shortDate(row.dueDate), amounts[index])
        }
        out += padRight(totalLabel, max(totalLabel.count + gap.count, width - amountWidth))
            + padLeft(total, amountWidth) + "\n"
        return out
    }

    /// HTML data table (width 100%, collapsed borders, inline styles, right-aligned amounts, shaded header, bold total); all text escaped.
    /// Classes `k-cell`, `k-hide-s` and `k-show-s` let the layout's phone rule (max-width 480px) drop the date column.
    public static func html(_ rows: [InvoiceRow], currency: String) -> String {
        var out = htmlHead
        out.reserveCapacity(htmlHead.utf8.count + rows.count * 700 + htmlFoot.utf8.count + 200)
        for row in rows {
            out += "<tr><td class=\"k-cell\" style=\"\(Style.cell)\(Style.left)word-break:break-all;\">"
            out += escape(row.number)
            out += "</td><td class=\"k-cell k-hide-s\" style=\"\(Style.cell)\(Style.left)white-space:nowrap;\">"
            out += escape(DutchFormat.shortDate(row.date))
            out += "</td><td class=\"k-cell\" style=\"\(Style.cell)\(Style.left)white-space:nowrap;\">"
            out += escape(DutchFormat.shortDate(row.dueDate))
            out += "</td><td class=\"k-cell\" style=\"\(Style.cell)\(Style.right)\">"
            out += escape(DutchFormat.amount(row.open, currency: currency))
            out += "</td></tr>\n"
        }
        out += htmlFoot
        out += escape(DutchFormat.amount(total(rows), currency: currency))
        out += "</td></tr>\n</tfoot>\n</table>\n"
        return out
    }

    /// The inline styles of the HTML table.
    private enum Style {
        static let pad = "padding:6px 8px;"
        static let cell = pad + "border-bottom:1px solid #dddddd;"
        static let head = pad + "background-color:#f2f2f2;font-weight:bold;border-bottom:2px solid #bbbbbb;"
        static let bold = pad + "font-weight:bold;border-top:2px solid #bbbbbb;"
        static let left = "text-align:left;"
        static let right = "text-align:right;white-space:nowrap;"
    }

    /// The table up to its first row: the same for every message, built once.
    private static let htmlHead: String = {
        var out = "<table width=\"100%\" cellspacing=\"0\" cellpadding=\"0\" "
            + "style=\"width:100%;border-collapse:collapse;font-family:Arial,Helvetica,sans-serif;font-size:14px;\">\n"
        out += "<thead>\n<tr>"
        out += "<th scope=\"col\" class=\"k-cell\" style=\"\(Style.head)\(Style.left)\">\(escape(headers.number))</th>"
        out += "<th scope=\"col\" class=\"k-cell k-hide-s\" style=\"\(Style.head)\(Style.left)\">\(escape(headers.date))</th>"
        out += "<th scope=\"col\" class=\"k-cell\" style=\"\(Style.head)\(Style.left)\">\(escape(headers.dueDate))</th>"
        out += "<th scope=\"col\" class=\"k-cell\" style=\"\(Style.head)\(Style.right)\">\(escape(headers.open))</th>"
        out += "</tr>\n</thead>\n<tbody>\n"
        return out
    }()

    /// From the end of the rows to the total amount.
    private static let htmlFoot: String = {
        var out = "</tbody>\n<tfoot>\n<tr>"
        // Desktop spans three columns; a phone hides the date column, so a second label spans the two that remain.
        out += "<td colspan=\"3\" class=\"k-cell k-hide-s\" style=\"\(Style.bold)\(Style.left)\">\(escape(totalLabel))</td>"
        out += "<td colspan=\"2\" class=\"k-cell k-show-s\" style=\"display:none;\(Style.bold)\(Style.left)\">\(escape(totalLabel))</td>"
        out += "<td class=\"k-cell\" style=\"\(Style.bold)\(Style.right)\">"
        return out
    }()

    // MARK: - Helpers

    /// The sum of the open amounts.
    static func total(_ rows: [InvoiceRow]) -> Money {
        rows.reduce(Money.zero) { $0 + $1.open }
    }

    /// Escapes `& < > " '` for HTML text and attribute values.
    static func escape(_ text: String) -> String {
        if !text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// Replaces newlines, tabs and other control characters by spaces so that a value stays on its line.
    static func sanitized(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        return String(text.map { character in
            character.unicodeScalars.contains { $0.properties.generalCategory == .control
                || $0.properties.generalCategory == .lineSeparator
                || $0.properties.generalCategory == .paragraphSeparator } ? " " : character
        })
    }

    static func truncate(_ text: String, to width: Int) -> String {
        guard text.count > width else { return text }
        guard width > 1 else { return String(repeating: "…", count: max(0, width)) }
        return String(text.prefix(width - 1)) + "…"
    }

    static func padRight(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }

    static func padLeft(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }
}
