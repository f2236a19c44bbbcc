using Platform.DevicePlugin.Inventory;
using Platform.NodeAgent.Gpu;
using Platform.NodeAgent.Gpu.Native;

namespace Platform.NodeAgent.Tests.Gpu;

public class DriverDataParsingTests
{
    [Theory]
    [InlineData("8.6", 8, 6)]
    [InlineData(" 9.0 ", 9, 0)]
    [InlineData("12.0", 12, 0)]
    public void ComputeCapability_TryParse_Valid_ReturnsParts(string text, int major, int minor)
    {
        Assert.True(ComputeCapability.TryParse(text, out var value));
        Assert.Equal(new ComputeCapability(major, minor), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("8")]
    [InlineData("8.6.1")]
    [InlineData("a.b")]
    [InlineData("-1.0")]
    [InlineData("8.10")]
    public void ComputeCapability_TryParse_Invalid_ReturnsFalse(string text) =>
        Assert.False(ComputeCapability.TryParse(text, out _));

    [Theory]
    [InlineData("550.54.15", "550", "54", "15")]
    [InlineData("535.104", "535", "104", "")]
    [InlineData("470", "470", "0", "")]
    public void DriverVersion_SplitDriver_ReturnsParts(string version, string major, string minor, string revision) =>
        Assert.Equal((major, minor, revision), DriverVersion.SplitDriver(version));

    [Theory]
    [InlineData(12040, 12, 4, "12.4")]
    [InlineData(11080, 11, 8, "11.8")]
    [InlineData(12090, 12, 9, "12.9")]
    [InlineData(13000, 13, 0, "13.0")]
    public void DriverVersion_Cuda_SplitsAndFormats(int version, int major, int minor, string text)
    {
        Assert.Equal((major, minor), DriverVersion.SplitCuda(version));
        Assert.Equal(text, DriverVersion.FormatCuda(version));
        Assert.True(DriverVersion.TryParseCuda(text, out var parsed));
        Assert.Equal(version, parsed);
    }

    [Theory]
    [InlineData("00000000:18:00.0", "00000000:18:00.0", "0000:18:00.0")]
    [InlineData("0000:3b:00.0", "00000000:3B:00.0", "0000:3b:00.0")]
    [InlineData("00000001:AF:00.0", "00000001:AF:00.0", "0001:af:00.0")]
    public void PciBusId_NormalizesAndConvertsToSysfs(string input, string normalized, string sysfs)
    {
        Assert.Equal(normalized, PciBusId.Normalize(input));
        Assert.Equal(sysfs, PciBusId.ToSysfs(input));
    }

    [Theory]
    [InlineData("1\n", 1)]
    [InlineData("-1\n", null)]
    [InlineData("garbage", null)]
    public void PciBusId_ReadNumaNode_ReadsSysfs(string content, int? expected)
    {
        var root = Directory.CreateTempSubdirectory("sysfs");
        try
        {
            var dir = Directory.CreateDirectory(Path.Combine(root.FullName, "bus/pci/devices/0000:18:00.0"));
            File.WriteAllText(Path.Combine(dir.FullName, "numa_node"), content);
            Assert.Equal(expected, PciBusId.ReadNumaNode(root.FullName, "00000000:18:00.0"));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public void PciBusId_ReadNumaNode_MissingFile_ReturnsNull() =>
        Assert.Null(PciBusId.ReadNumaNode(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N")), "00000000:18:00.0"));

    [Theory]
    [InlineData("NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15  Tue Mar  5 22:23:56 UTC 2024\nGCC version:  gcc version 12.2.0\n", "550.54.15")]
    [InlineData("NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  570.86.15  Release Build  (dvs-builder@U16-I3-B13-3-2)\n", "570.86.15")]
    [InlineData("nothing useful\n", null)]
    public void ProcDriverInfo_ParseDriverVersion(string text, string? expected) =>
        Assert.Equal(expected, ProcDriverInfo.ParseDriverVersion(text));

    [Fact]
    public void ProcDriverInfo_ParseMinorNumber_ReadsDeviceMinorLine()
    {
        const string information = "Model: \t\t NVIDIA A10G\nIRQ:   \t\t 142\nGPU UUID: \t GPU-3f7d0ab0-9f0a-e0c0-4b1c-6e1f0d1e2c3a\nVideo BIOS: \t 94.02.75.00.01\nBus Type: \t PCIe\nDMA Size: \t 47 bits\nDMA Mask: \t 0x7fffffffffff\nBus Location: \t 0000:00:1e.0\nDevice Minor: \t 3\nGPU Excluded:\t No\n";
        Assert.Equal(3, ProcDriverInfo.ParseMinorNumber(information));
        Assert.Null(ProcDriverInfo.ParseMinorNumber("Model: x\n"));
    }

    [Fact]
    public void NativeText_FormatGpuUuid_MatchesNvmlSpelling()
    {
        byte[] bytes = [0x3f, 0x7d, 0x0a, 0xb0, 0x9f, 0x0a, 0xe0, 0xc0, 0x4b, 0x1c, 0x6e, 0x1f, 0x0d, 0x1e, 0x2c, 0x3a];
        Assert.Equal("GPU-3f7d0ab0-9f0a-e0c0-4b1c-6e1f0d1e2c3a", NativeText.FormatGpuUuid(bytes));
    }

    [Fact]
    public void NativeText_FromBuffer_StopsAtNul()
    {
        byte[] buffer = [(byte)'A', (byte)'1', (byte)'0', 0, (byte)'x', (byte)'y'];
        Assert.Equal("A10", NativeText.FromBuffer(buffer));
    }

    [Theory]
    [InlineData(0, (int)GpuInterconnect.SameBoard)]
    [InlineData(10, (int)GpuInterconnect.SinglePcieSwitch)]
    [InlineData(20, (int)GpuInterconnect.MultiplePcieSwitches)]
    [InlineData(30, (int)GpuInterconnect.HostBridge)]
    [InlineData(40, (int)GpuInterconnect.SameNumaNode)]
    [InlineData(50, (int)GpuInterconnect.CrossNuma)]
    public void TopologyLevel_FromNvml_MapsEveryLevel(int nvml, int expected) =>
        Assert.Equal((GpuInterconnect)expected, TopologyLevel.FromNvml(nvml));
}
