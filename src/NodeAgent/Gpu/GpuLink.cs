using Platform.DevicePlugin.Inventory;

namespace Platform.NodeAgent.Gpu;

/// <summary>The connection between GPU IndexA and IndexB (A &lt; B); NvLinks counts active links, 0 unless
/// Level is NvLink. Levels are the device-plugin inventory's own, which mirror <c>nvmlGpuTopologyLevel_t</c>
/// plus NVLink, so discovery feeds the inventory without a second enum to keep in step.</summary>
internal sealed record GpuLink(int IndexA, int IndexB, GpuInterconnect Level, int NvLinks);
