/// The built-in rules, as a rules file: `redline rules show` prints it as the starting point for
/// a county's own file. docs/rules.md explains every key.
enum DefaultRules {
    static let yaml = #"""
# redline rules, version 1 — the built-in defaults.
#
# Rules are read from the top: the FIRST rule whose kind, zones and activities all match a patch
# decides its verdict and severity. Put exceptions above the general rule they refine.
#
# Sources (cited on each rule as S1…S5):
#   S1 《中华人民共和国自然保护区条例》(1994, revised 2017): art. 18 zoning; art. 26 no mining,
#      quarrying, sand digging, land reclamation in a reserve; art. 27 no entry to the core zone,
#      research entry only with approval; art. 28 no tourism or production in the buffer zone,
#      non-destructive research with approval; art. 29 tourism in the experimental zone only under an
#      approved plan; art. 32 no production facilities in core and buffer zones, none that pollute or
#      damage resources or landscape in the experimental zone.
#   S2 中共中央办公厅 国务院办公厅《关于建立以国家公园为主体的自然保护地体系的指导意见》(2019):
#      core protection zone — human activity banned in principle; general control zone — development
#      and production construction banned, limited human activities allowed.
#   S3 中共中央办公厅 国务院办公厅《关于在国土空间规划中统筹划定落实三条控制线的指导意见》(2019):
#      inside a red line, development and production construction banned in principle.
#   S4 自然资源部 生态环境部 国家林业和草原局《关于加强生态保护红线管理的通知（试行）》
#      (自然资发〔2022〕142号): the limited human activities allowed in a red line outside core
#      protection zones — residents' existing life and farming without expansion, patrol, research
#      and monitoring, moderate tourism and its public facilities, unavoidable linear infrastructure,
#      flood-control and water-supply works (approved by the procedures the notice sets), among others.
#      Whether strategic mineral exploration is allowed is narrower and case by case: redline keeps
#      all mining prohibited and leaves exceptions to the field check.
#   S5 A tool may flag an activity as possibly permitted, never clear it: permitted_limited patches
#      stay in the clue list, marked, for the field team to confirm (shared/docs/domain.md).

version: 1

# Canonical activity types, and the values real data writes for them (Chinese, English, codes).
# A data value matches when it equals a value here (case, spaces, _ and - aside), else when it
# contains one (露天采矿 → mining). Values that match nothing become “unknown” and are reported.
activity_types:
  mining:
    label_zh: 采矿
    label_en: Mining and quarrying
    values: [采矿, 采石, 采砂, 挖沙, 开矿, 矿山, 矿产, 矿产资源开发, 采坑, 煤矿, 露天矿, mining, mine, quarry, quarrying, sand mining, opencast]
  industrial:
    label_zh: 工业
    label_en: Industry
    values: [工业, 工矿, 工矿用地, 工业用地, 工厂, 厂房, 工业园, industry, industrial, factory]
  energy:
    label_zh: 能源
    label_en: Energy
    values: [能源, 光伏, 风电, 水电, 电站, 光伏电站, 风电场, 水电站, 输电, energy, solar, photovoltaic, pv, wind, wind farm, hydropower, power plant]
  transport:
    label_zh: 交通
    label_en: Transport
    values: [交通, 道路, 公路, 铁路, 机场, 桥梁, 交通设施, road, railway, highway, transport, transportation, airport]
  water:
    label_zh: 水利
    label_en: Water works
    values: [水利, 水库, 水坝, 堤坝, 渠道, 水利设施, 供水, 防洪, water, reservoir, dam, canal, irrigation, flood control]
  tourism:
    label_zh: 旅游
    label_en: Tourism
    values: [旅游, 旅游设施, 景区, 度假, 宾馆, 酒店, tourism, tourist, resort, hotel]
  breeding:
    label_zh: 养殖
    label_en: Breeding and aquaculture
    values: [养殖, 养殖场, 畜牧, 鱼塘, 网箱, breeding, aquaculture, livestock, fish pond]
  settlement:
    label_zh: 居民点
    label_en: Settlement
    values: [居民点, 居住, 住宅, 村庄, 民房, 房屋, settlement, residential, housing, village]
  agriculture:
    label_zh: 农业开发
    label_en: Agricultural development
    values: [农业, 农业开发, 农业用地, 耕地, 开垦, 农田, 种植, 大棚, agriculture, agricultural, farmland, cropland, cultivation, reclamation]
  research:
    label_zh: 科研监测
    label_en: Research and monitoring
    values: [科研, 监测, 科研监测, 观测, 巡护, research, monitoring, patrol]
  other:
    label_zh: 其他人工设施
    label_en: Other facilities
    values: [其他, 其他人工设施, 人工设施, 建筑, 构筑物, 建设, 设施, other, facility, construction, building]

# Smallest overlap that makes a clue, per zone; a zone's own value wins over --min-overlap-m2 /
# --min-overlap-share, which win over “default”.
thresholds:
  default:
    min_overlap_m2: 1        # below a square metre is digitising noise
    min_overlap_share: 0
  # Example: count any footprint in a core zone, but only red-line overlaps of 100 m² or more.
  #  core:
  #    min_overlap_m2: 0.01
  #  red_line:
  #    min_overlap_m2: 100

rules:
  # ── Nature reserves: core zone (old scheme) and core protection zone (new scheme) ──
  - id: NR-CORE-RESEARCH
    kind: nature_reserve
    zones: [core, core_protection]
    activities: [research]
    verdict: needs_approval
    severity: medium
    reason_zh: 核心区禁止进入；因科学研究确需进入的，须经自然保护区管理机构批准。
    reason_en: No entry to a core zone; research entry needs the reserve authority's approval.
    source: S1 art. 27; S2
  - id: NR-CORE-ANY
    kind: nature_reserve
    zones: [core, core_protection]
    activities: any
    verdict: prohibited
    severity: high
    reason_zh: 核心区（核心保护区）原则上禁止人为活动，不得建设任何生产设施。
    reason_en: Human activity is banned in principle in a core (protection) zone; no production facility may be built.
    source: S1 art. 26, 27, 32; S2

  # ── Nature reserves, every zone: mining ──
  - id: NR-MINING
    kind: nature_reserve
    zones: any
    activities: [mining]
    verdict: prohibited
    severity: high
    reason_zh: 自然保护区内禁止开矿、采石、挖沙等活动。
    reason_en: Mining, quarrying and sand digging are banned anywhere in a nature reserve.
    source: S1 art. 26

  # ── Buffer zone (old scheme) ──
  - id: NR-BUFFER-RESEARCH
    kind: nature_reserve
    zones: [buffer]
    activities: [research]
    verdict: needs_approval
    severity: low
    reason_zh: 缓冲区只准从事非破坏性的科学研究、教学实习，须事先批准。
    reason_en: Only non-destructive research and teaching, approved in advance, are allowed in a buffer zone.
    source: S1 art. 28
  - id: NR-BUFFER-ANY
    kind: nature_reserve
    zones: [buffer]
    activities: any
    verdict: prohibited
    severity: high
    reason_zh: 缓冲区禁止开展旅游和生产经营活动，不得建设任何生产设施。
    reason_en: Tourism, production and any production facility are banned in a buffer zone.
    source: S1 art. 28, 32

  # ── Experimental zone (old scheme) ──
  - id: NR-EXP-POLLUTING
    kind: nature_reserve
    zones: [experimental]
    activities: [industrial, energy]
    verdict: prohibited
    severity: high
    reason_zh: 实验区内不得建设污染环境、破坏资源或者景观的生产设施。
    reason_en: No facility that pollutes or damages resources or landscape may be built in an experimental zone.
    source: S1 art. 32
  - id: NR-EXP-RECLAMATION
    kind: nature_reserve
    zones: [experimental]
    activities: [agriculture]
    verdict: prohibited
    severity: medium
    reason_zh: 自然保护区内禁止开垦、烧荒；新增耕地须核实是否为原有耕作。
    reason_en: Land reclamation is banned in a reserve; new farmland must be checked against existing farming.
    source: S1 art. 26
  - id: NR-EXP-RESEARCH
    kind: nature_reserve
    zones: [experimental]
    activities: [research]
    verdict: permitted_limited
    severity: low
    reason_zh: 实验区可以从事科学试验、教学实习、参观考察等活动。
    reason_en: Scientific experiments, teaching and visits are allowed in an experimental zone.
    source: S1 art. 18; S5
  - id: NR-EXP-ANY
    kind: nature_reserve
    zones: [experimental]
    activities: any
    verdict: needs_approval
    severity: medium
    reason_zh: 实验区内的旅游及其他建设须符合批准的方案并经审批。
    reason_en: Tourism and other building in an experimental zone must follow an approved plan.
    source: S1 art. 29, 32

  # ── General control zone (new scheme) ──
  - id: NR-GC-DEVELOPMENT
    kind: nature_reserve
    zones: [general_control]
    activities: [industrial, energy]
    verdict: prohibited
    severity: high
    reason_zh: 一般控制区内禁止开发性、生产性建设活动。
    reason_en: Development and production construction are banned in a general control zone.
    source: S2
  - id: NR-GC-LIMITED
    kind: nature_reserve
    zones: [general_control]
    activities: [research, settlement, agriculture, tourism]
    verdict: permitted_limited
    severity: low
    reason_zh: 一般控制区允许有限人为活动（原住居民正常生产生活、科研监测、适度参观旅游），须核实未扩大。
    reason_en: Limited activities (residents' existing life and farming, research, moderate tourism) are allowed; check they have not grown.
    source: S2; S4; S5
  - id: NR-GC-ANY
    kind: nature_reserve
    zones: [general_control]
    activities: any
    verdict: needs_approval
    severity: medium
    reason_zh: 一般控制区内的线性基础设施及其他建设须依法审批。
    reason_en: Linear infrastructure and other building in a general control zone need approval.
    source: S2; S4

  # ── Reserve polygons without a zone ──
  - id: NR-UNZONED-DEVELOPMENT
    kind: nature_reserve
    zones: [unzoned]
    activities: [industrial, energy]
    verdict: prohibited
    severity: high
    reason_zh: 自然保护区内不得建设污染环境、破坏资源或者景观的生产设施；分区不明，按从严处理。
    reason_en: No polluting or damaging facility may be built in a reserve; the zone is unknown, so the strict reading applies.
    source: S1 art. 32
  - id: NR-UNZONED-ANY
    kind: nature_reserve
    zones: [unzoned]
    activities: any
    verdict: needs_approval
    severity: medium
    reason_zh: 保护区图层未标明功能分区，需核实所在分区后判定。
    reason_en: The reserve layer gives no zone; find the zone before judging.
    source: S1 art. 18

  # ── Ecological protection red lines ──
  - id: RL-DEVELOPMENT
    kind: red_line
    zones: any
    activities: [mining, industrial, energy]
    verdict: prohibited
    severity: high
    reason_zh: 生态保护红线内原则上禁止开发性、生产性建设活动。
    reason_en: Development and production construction are banned in principle inside a red line.
    source: S3; S4
  - id: RL-LIMITED
    kind: red_line
    zones: any
    activities: [settlement, agriculture, research, tourism]
    verdict: permitted_limited
    severity: low
    reason_zh: 红线内允许对生态功能不造成破坏的有限人为活动（原住居民生产生活、科研监测、适度旅游），须核实未扩大。
    reason_en: Limited activities that do not harm ecological function are allowed in a red line; check they have not grown.
    source: S4; S5
  - id: RL-INFRASTRUCTURE
    kind: red_line
    zones: any
    activities: [transport, water]
    verdict: needs_approval
    severity: medium
    reason_zh: 必须且无法避让的线性基础设施、防洪和供水设施可按程序审批后建设。
    reason_en: Unavoidable linear infrastructure and flood-control or water-supply works may be built once approved.
    source: S4
  - id: RL-ANY
    kind: red_line
    zones: any
    activities: any
    verdict: needs_approval
    severity: medium
    reason_zh: 红线内其他人为活动需核实是否属于允许的有限人为活动。
    reason_en: Other activity inside a red line must be checked against the limited activities allowed.
    source: S3; S4

  # ── Anything else (a protection kind the data names but these rules do not know) ──
  - id: OTHER-ANY
    kind: any
    zones: any
    activities: any
    verdict: needs_approval
    severity: medium
    reason_zh: 保护地类型未能识别，需人工判定。
    reason_en: The kind of protection is not recognised; judge by hand.
    source: S5
"""#
}
