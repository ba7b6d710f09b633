import RedlineOutputs

/// The language of a bundle's headers and labels (the data stays as it is).
public enum ChecklistLanguage: String, Sendable, CaseIterable {
    case zh, en
}

/// Every header and label a bundle prints, in Chinese and English.
struct Labels {
    let language: ChecklistLanguage

    func callAsFunction(_ key: Key) -> String {
        language == .zh ? key.chinese : key.english
    }

    enum Key {
        case order, clueID, patchID, activityType, protectedArea, zone, verdict, severity, rule, reason
        case patchM2, overlapM2, overlapHa, overlapMu, distanceM, lon, lat, lonDMS, latDMS, detected, imagery, legKm
        case result, actualActivity, responsible, rectification, inspector, date, photos, remarks
        case start, total, checklistTitle, index, detailMap, locatorMap, facts, fieldRecord, signature
        case resultChoices, routeNote, patch, seat, attributes
        case summary, clueCount, byArea, byZone, bySeverity, allClues, resultPrompt, datePrompt, resultRefusal, dateRefusal
        case day, byDay, dayKm, route, parts, imageMissing

        /// Headers of clue columns are the columns' own Chinese names.
        var chinese: String {
            switch self {
            case .order: return "序号"
            case .clueID: return ClueColumn.clueID.labelZH
            case .patchID: return ClueColumn.activityID.labelZH
            case .activityType: return ClueColumn.activityTypeLabel.labelZH
            case .protectedArea: return ClueColumn.protectedNames.labelZH
            case .zone: return ClueColumn.strictestZoneLabel.labelZH
            case .verdict: return ClueColumn.verdictLabel.labelZH
            case .severity: return ClueColumn.severityLabel.labelZH
            case .rule: return ClueColumn.ruleID.labelZH
            case .reason: return ClueColumn.reasonZh.labelZH
            case .patchM2: return ClueColumn.patchM2.labelZH
            case .overlapM2: return ClueColumn.overlapM2.labelZH
            case .overlapHa: return ClueColumn.overlapHa.labelZH
            case .overlapMu: return ClueColumn.overlapMu.labelZH
            case .distanceM: return ClueColumn.distanceM.labelZH
            case .lon: return ClueColumn.centroidLon.labelZH
            case .lat: return ClueColumn.centroidLat.labelZH
            case .lonDMS: return "经度(度分秒)"
            case .latDMS: return "纬度(度分秒)"
            case .detected: return ClueColumn.detectedOn.labelZH
            case .imagery: return "影像"
            case .legKm: return "距上一点(公里)"
            case .result: return "核查结果(属实/不属实/部分属实)"
            case .actualActivity: return "实际活动"
            case .responsible: return "责任主体"
            case .rectification: return "整改措施"
            case .inspector: return "核查人"
            case .date: return "核查日期"
            case .photos: return "照片编号"
            case .remarks: return "备注"
            case .start: return "出发点"
            case .total: return "全程(公里)"
            case .checklistTitle: return "问题线索实地核查清单"
            case .index: return "核查顺序"
            case .detailMap: return "图斑详图"
            case .locatorMap: return "位置示意图"
            case .facts: return "线索信息"
            case .fieldRecord: return "实地核查记录"
            case .signature: return "核查人签字"
            case .resultChoices: return "□ 属实　□ 不属实　□ 部分属实"
            case .routeNote: return "按最近邻并经2-opt优化的环线顺序，距离为椭球面测地线距离。"
            case .patch: return "图斑"
            case .seat: return "县政府驻地"
            case .attributes: return "图斑属性"
            case .summary: return "汇总"
            case .clueCount: return "线索数"
            case .byArea: return "按保护地"
            case .byZone: return "按功能分区"
            case .bySeverity: return "按严重程度"
            case .allClues: return "合计"
            case .resultPrompt: return "从下拉列表选择：属实、不属实或部分属实"
            case .datePrompt: return "填写实地核查的日期，如 2026-11-20"
            case .resultRefusal: return "只能填写 属实、不属实 或 部分属实"
            case .dateRefusal: return "请填写日期（不早于图斑发现日期，不晚于今天）"
            case .day: return "日程"
            case .byDay: return "按日程"
            case .dayKm: return "当日里程(公里)"
            case .route: return "路线"
            case .parts: return "各部分位置"
            case .imageMissing: return "影像(未找到)"
            }
        }

        var english: String {
            switch self {
            case .order: return "No."
            case .clueID: return "Clue ID"
            case .patchID: return "Patch ID"
            case .activityType: return "Activity type"
            case .protectedArea: return "Protected area"
            case .zone: return "Zone"
            case .verdict: return "Verdict"
            case .severity: return "Severity"
            case .rule: return "Rule"
            case .reason: return "Reason"
            case .patchM2: return "Patch area (m2)"
            case .overlapM2: return "Area inside (m2)"
            case .overlapHa: return "Area inside (ha)"
            case .overlapMu: return "Area inside (mu)"
            case .distanceM: return "Distance to boundary (m)"
            case .lon: return "Longitude"
            case .lat: return "Latitude"
            case .lonDMS: return "Longitude (DMS)"
            case .latDMS: return "Latitude (DMS)"
            case .detected: return "Detected"
            case .imagery: return "Imagery"
            case .legKm: return "Leg (km)"
            case .result: return "Result (true / not true / partly true)"
            case .actualActivity: return "Actual activity"
            case .responsible: return "Responsible party"
            case .rectification: return "Rectification measure"
            case .inspector: return "Inspector"
            case .date: return "Date checked"
            case .photos: return "Photo numbers"
            case .remarks: return "Remarks"
            case .start: return "Start"
            case .total: return "Round trip (km)"
            case .checklistTitle: return "Field verification checklist"
            case .index: return "Visiting order"
            case .detailMap: return "Patch"
            case .locatorMap: return "Location"
            case .facts: return "Clue"
            case .fieldRecord: return "Field record"
            case .signature: return "Inspector's signature"
            case .resultChoices: return "□ true　□ not true　□ partly true"
            case .routeNote: return "Round trip by nearest neighbour improved with 2-opt; geodesic distances on the ellipsoid."
            case .patch: return "Patch"
            case .seat: return "County seat"
            case .attributes: return "Patch attributes"
            case .summary: return "Summary"
            case .clueCount: return "Clues"
            case .byArea: return "By protected area"
            case .byZone: return "By zone"
            case .bySeverity: return "By severity"
            case .allClues: return "All"
            case .resultPrompt: return "Pick from the list: true, not true or partly true"
            case .datePrompt: return "The day of the field check, e.g. 2026-11-20"
            case .resultRefusal: return "Only true, not true or partly true"
            case .dateRefusal: return "A date, not before the patch was detected and not after today"
            case .day: return "Day"
            case .byDay: return "By day"
            case .dayKm: return "Day (km)"
            case .route: return "Route"
            case .parts: return "Each part"
            case .imageMissing: return "Images not found"
            }
        }
    }

    /// "第2天" / "Day 2" for the day at `index` (from 0).
    func dayName(_ index: Int) -> String { language == .zh ? "第\(index + 1)天" : "Day \(index + 1)" }

    /// The columns the field team fills in, in the spreadsheet and on paper.
    static let fieldColumns: [Key] = [.result, .actualActivity, .responsible, .rectification, .inspector, .date,
                                      .photos, .remarks]
}
