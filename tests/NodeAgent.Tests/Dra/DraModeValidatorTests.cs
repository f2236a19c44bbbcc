using Microsoft.Extensions.Options;
using Platform.DevicePlugin.Configuration;
using Platform.NodeAgent.Dra;
using Platform.NodeAgent.Gpu.Mig;
using Platform.NodeAgent.Kubernetes;
using Platform.NodeAgent.Labels;

namespace Platform.NodeAgent.Tests.Dra;

public class DraModeValidatorTests
{
    private static ValidateOptionsResult Validate(bool dra, bool devicePlugin, string migStrategy = "none", bool kubernetes = true, string? nodeName = "gpu-1") =>
        new DraModeValidator(
                Options.Create(new DevicePluginOptions { Enabled = devicePlugin }),
                Options.Create(new MigOptions { Strategy = migStrategy }),
                Options.Create(new KubernetesOptions { Enabled = kubernetes }),
                Options.Create(new NodeOptions { Name = nodeName }))
            .Validate(null, new DraOptions { Enabled = dra });

    [Theory]
    [InlineData(false, true, "none")]
    [InlineData(false, true, "mixed")]
    [InlineData(false, false, "single")]
    [InlineData(true, false, "none")]
    [InlineData(true, false, "NONE")]
    public void Validate_OneModePerNode_WholeGpusUnderDra_Succeeds(bool dra, bool devicePlugin, string mig)
    {
        Assert.True(Validate(dra, devicePlugin, mig).Succeeded);
    }

    [Fact]
    public void Validate_BothModes_IsRefusedNamingBothKeys()
    {
        var result = Validate(dra: true, devicePlugin: true);

        var failure = Assert.Single(result.Failures!);
        Assert.Contains("Dra:Enabled and DevicePlugin:Enabled are both true", failure, StringComparison.Ordinal);
        Assert.Contains("DevicePlugin:Enabled=false", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("single")]
    [InlineData("mixed")]
    public void Validate_DraWithMigStrategy_IsRefused(string strategy)
    {
        var failure = Assert.Single(Validate(dra: true, devicePlugin: false, strategy).Failures!);
        Assert.Contains($"Mig:Strategy is '{strategy}' with Dra:Enabled=true", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DraWithoutKubernetesAccess_IsRefused()
    {
        var failure = Assert.Single(Validate(dra: true, devicePlugin: false, kubernetes: false).Failures!);
        Assert.Contains("Kubernetes:Enabled=false", failure, StringComparison.Ordinal);
        Assert.True(Validate(dra: false, devicePlugin: true, kubernetes: false).Succeeded);
    }

    /// <summary>The pool and the slices are named after the Node; without a name Prepare could only refuse every claim.</summary>
    [Theory]
    [InlineData(null)]
    [InlineData(" ")]
    public void Validate_DraWithoutNodeName_IsRefused(string? nodeName)
    {
        var failure = Assert.Single(Validate(dra: true, devicePlugin: false, nodeName: nodeName).Failures!);
        Assert.Contains("NODE_NAME", failure, StringComparison.Ordinal);
        Assert.True(Validate(dra: false, devicePlugin: true, nodeName: nodeName).Succeeded);
    }

    [Fact]
    public void Validate_EveryProblem_IsListedTogether()
    {
        Assert.Equal(4, Validate(dra: true, devicePlugin: true, "mixed", kubernetes: false, nodeName: null).Failures!.Count());
    }

    [Fact]
    public void Build_DraWithDevicePluginDefault_StopsTheStartWithTheMessage()
    {
        var ex = Assert.Throws<Platform.NodeAgent.Startup.AgentConfigurationException>(() => NodeAgentApp.Build(
            ["--urls=http://127.0.0.1:0", "--Gpu:Driver=simulated", "--Kubernetes:Enabled=false", "--Dra:Enabled=true", "--Mig:Strategy=single"],
            services => Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton(services, Platform.NodeAgent.Gpu.ClusterDetector.None)));

        Assert.Contains("Dra:Enabled and DevicePlugin:Enabled are both true", ex.Report, StringComparison.Ordinal);
        Assert.Contains("Mig:Strategy is 'single' with Dra:Enabled=true", ex.Report, StringComparison.Ordinal);
        Assert.Contains("Dra:Enabled is true with Kubernetes:Enabled=false", ex.Report, StringComparison.Ordinal);
    }
}
